//! Deserialization helpers for the loosely typed Nunjucks params.
//!
//! Nunjucks params are dynamically typed: `hint: "Text"` means `hint: { text: "Text" }`, list items may be
//! `false` to leave them out, widths may be numbers or strings. These helpers accept the same shapes and
//! normalise them into plain Rust types. Maps are always read through a map visitor, so nested attribute
//! maps keep their order.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::util::js_number;

/// Params objects that the templates also accept as a plain string (meaning `{ text: string }`).
pub(crate) trait FromText: Sized {
    /// `"string"` → `{ text: "string" }`.
    fn from_text(text: String) -> Self;
    /// What `true` means (most templates ignore it).
    fn from_true() -> Option<Self> {
        None
    }
}

/// `Option<T>` from a string (→ text), an object, `true` (see [`FromText::from_true`]), or
/// `false`/`null`/`""` (→ `None`).
pub(crate) fn text_or<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromText,
{
    d.deserialize_any(TextOrVisitor(false, PhantomData))
}

/// Like [`text_or`], but `""` gives `Some(T::from_text(""))` (where an empty string means "none").
pub(crate) fn text_or_keep_empty<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromText,
{
    d.deserialize_any(TextOrVisitor(true, PhantomData))
}

struct TextOrVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Deserialize<'de> + FromText> Visitor<'de> for TextOrVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, boolean, null or object")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<T>, E> {
        Ok((self.0 || !s.is_empty()).then(|| T::from_text(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<T>, E> {
        Ok((self.0 || !s.is_empty()).then(|| T::from_text(s)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        Ok(Some(T::from_text(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        Ok(Some(T::from_text(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        Ok(serde_json::Number::from_f64(v).map(|n| T::from_text(js_number(&n))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
        Ok(if v { T::from_true() } else { None })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }
}

/// An object, or `false`/`null` (→ `None`); `true` → `Some(T::default())`.
pub(crate) fn obj_or_bool<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean, null or object")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
            Ok(v.then(T::default))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// `Option<Option<T>>`: missing → `None` (via `#[serde(default)]`), `false`/`null` → `Some(None)`,
/// object → `Some(Some(T))`.
pub(crate) fn present_or_false<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for V<T> {
        type Value = Option<Option<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("false, null or an object")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.then(T::default)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(None))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(None))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(|t| Some(Some(t)))
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// A list element that may be falsy (`false`, `null`, `""`, `0`): falsy elements become `None`, anything
/// else is handed to `T`.
pub(crate) struct Falsy<T>(pub(crate) Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Falsy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Falsy<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list item or a falsy value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Falsy<T>, E> {
                if v {
                    T::deserialize(v.into_deserializer()).map(|t| Falsy(Some(t)))
                } else {
                    Ok(Falsy(None))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Falsy<T>, E> {
                if v == 0 {
                    Ok(Falsy(None))
                } else {
                    T::deserialize(v.into_deserializer()).map(|t| Falsy(Some(t)))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Falsy<T>, E> {
                if v == 0 {
                    Ok(Falsy(None))
                } else {
                    T::deserialize(v.into_deserializer()).map(|t| Falsy(Some(t)))
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Falsy<T>, E> {
                if v == 0.0 || v.is_nan() {
                    Ok(Falsy(None))
                } else {
                    T::deserialize(v.into_deserializer()).map(|t| Falsy(Some(t)))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Falsy<T>, E> {
                if v.is_empty() {
                    Ok(Falsy(None))
                } else {
                    T::deserialize(v.into_deserializer()).map(|t| Falsy(Some(t)))
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Falsy<T>, E> {
                Ok(Falsy(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Falsy<T>, E> {
                Ok(Falsy(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Falsy<T>, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Falsy<T>, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(|t| Falsy(Some(t)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Falsy<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Falsy(Some(t)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A list whose falsy elements are dropped (the templates skip them with `{% if item %}` or
/// `select("mapping")`). A missing list or `null`/`false` gives an empty list.
pub(crate) fn items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    list::<D, Falsy<T>, T>(d, |f| f.0)
}

/// An optional list whose falsy elements are dropped: missing or `null`/`false` → `None`, a list (even
/// an empty one) → `Some`.
pub(crate) fn opt_items<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(Falsy(x)) = seq.next_element::<Falsy<T>>()? {
                out.extend(x);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// Deserialize a list of `X`, keeping the elements `keep` maps to `Some`; `null`/`false` → empty.
fn list<'de, D, X, T>(d: D, keep: fn(X) -> Option<T>) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    X: Deserialize<'de>,
{
    struct V<X, T>(fn(X) -> Option<T>);
    impl<'de, X: Deserialize<'de>, T> Visitor<'de> for V<X, T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<T>, E> {
            if v {
                Err(E::invalid_type(de::Unexpected::Bool(true), &self))
            } else {
                Ok(Vec::new())
            }
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(x) = seq.next_element::<X>()? {
                out.extend((self.0)(x));
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(keep))
}

/// A list element given as a string (→ text), an object, or a falsy value (→ `None`).
pub(crate) struct TextOr<T>(pub(crate) Option<T>);

impl<'de, T: Deserialize<'de> + FromText> Deserialize<'de> for TextOr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text_or(d).map(TextOr)
    }
}

/// A list of strings (→ text) and objects; falsy elements are dropped, a missing list or `null` gives
/// an empty list.
pub(crate) fn text_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromText,
{
    list::<D, TextOr<T>, T>(d, |t| t.0)
}

/// A list or a single object (the templates accept `navigation: {...}` as `[{...}]`).
pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list or an object")
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(Falsy(item)) = seq.next_element::<Falsy<T>>()? {
                out.extend(item);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(|t| vec![t])
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// A scalar as a string: strings as-is, numbers as JavaScript prints them, booleans as `true`/`false`;
/// `null` → `None`.
pub(crate) fn loose<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(Loose(false))
}

/// Like [`loose`] but `false` and `""` → `None` (for options where `false` means "off").
pub(crate) fn loose_truthy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(d.deserialize_any(Loose(true))?.filter(|s| !s.is_empty()))
}

struct Loose(bool);

impl<'de> Visitor<'de> for Loose {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<String>, E> {
        Ok(Some(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<String>, E> {
        Ok(Some(s))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<String>, E> {
        Ok(serde_json::Number::from_f64(v).map(|n| js_number(&n)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        Ok((v || !self.0).then(|| v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

/// Implement [`FromText`] as `{ text }` for params structs with a `text` field, plus `From<&str>` and
/// `From<String>` (so `hint: Some("Text".into())` works as `hint: "Text"` does in Nunjucks).
macro_rules! from_text {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::de::FromText for $t {
            fn from_text(text: String) -> Self {
                Self { text: Some(text), ..Default::default() }
            }
        }
        $crate::de::from_str!($t);
    )*};
}
pub(crate) use from_text;

/// `From<&str>` and `From<String>` meaning `{ text }`.
macro_rules! from_str {
    ($t:ty) => {
        impl From<&str> for $t {
            fn from(text: &str) -> Self {
                Self {
                    text: Some(text.to_owned()),
                    ..Default::default()
                }
            }
        }
        impl From<String> for $t {
            fn from(text: String) -> Self {
                Self {
                    text: Some(text),
                    ..Default::default()
                }
            }
        }
    };
}
pub(crate) use from_str;
