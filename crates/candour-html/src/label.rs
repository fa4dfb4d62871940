//! Label (`components/label`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::de::{self, from_str, from_text, FromText};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::util::{escape, nonempty, truthy};

/// Params of the label macro (also accepted as a plain string, meaning `{ text }`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelParams {
    /// Label text (escaped).
    pub text: Option<String>,
    /// Label markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Visually hidden text appended to the label.
    pub visually_hidden_text: Option<String>,
    /// `for` attribute: the id of the labelled control.
    pub r#for: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Size: `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Wrap the label in a heading: a string (the label text), `true`, or heading options.
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<LabelHeading>,
    /// Deprecated: wrap the label in a `<h1>`.
    pub is_page_heading: Option<bool>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(LabelParams);

/// The heading a label or legend is wrapped in.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelHeading {
    /// Text (escaped), used when the label itself has no text.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text.
    pub visually_hidden_text: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Heading level (default 1).
    #[serde(default, deserialize_with = "de::loose")]
    pub level: Option<String>,
    /// Size, overriding the label's.
    pub size: Option<String>,
    /// `id` attribute of the heading.
    pub id: Option<String>,
    /// Extra attributes of the heading.
    pub attributes: Option<Attributes>,
}

impl FromText for LabelHeading {
    fn from_text(text: String) -> Self {
        Self {
            text: Some(text),
            ..Self::default()
        }
    }
    fn from_true() -> Option<Self> {
        Some(Self::default())
    }
}

from_str!(LabelHeading);

/// What labels and legends resolve from their `heading`, `isPageHeading`, `caption` and `size` options.
pub(crate) struct Resolved {
    pub has_heading: bool,
    pub heading: LabelHeading,
    pub text: Option<String>,
    pub html: Option<String>,
    pub visually_hidden_text: Option<String>,
    pub size: Option<String>,
    pub caption: CaptionParams,
}

/// The shared label/legend logic: does it get a wrapping heading, and which text, size and caption win.
#[allow(clippy::too_many_arguments)]
pub(crate) fn resolve(
    heading: &Option<LabelHeading>,
    is_page_heading: Option<bool>,
    text: &Option<String>,
    html: &Option<String>,
    visually_hidden_text: &Option<String>,
    caption: &Option<CaptionParams>,
    size: &Option<String>,
) -> Resolved {
    let has_heading = (is_page_heading == Some(true)) || (is_page_heading != Some(false) && heading.is_some());
    let h = heading.clone().unwrap_or_default();
    let or = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    let (text, html, vht, cap, size) = if has_heading {
        (
            or(&h.text, text),
            or(&h.html, html),
            or(&h.visually_hidden_text, visually_hidden_text),
            h.caption.clone().or_else(|| caption.clone()),
            or(&h.size, size),
        )
    } else {
        (
            or(text, &h.text),
            or(html, &h.html),
            visually_hidden_text.clone(),
            caption.clone(),
            size.clone(),
        )
    };
    let mut caption = cap.unwrap_or_default();
    if caption.size.is_none() {
        caption.size = size.clone();
    }
    Resolved {
        has_heading,
        heading: h,
        text,
        html,
        visually_hidden_text: vht,
        size,
        caption,
    }
}

impl LabelParams {
    /// Render the label.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let r = resolve(
            &self.heading,
            self.is_page_heading,
            &self.text,
            &self.html,
            &self.visually_hidden_text,
            &self.caption,
            &self.size,
        );
        if caller.is_none() && !truthy(&r.html) && !truthy(&r.text) {
            return String::new();
        }
        let placement = nonempty(&r.caption.placement).map(str::to_owned);
        let inner_caption = match placement.as_deref() {
            None | Some("start" | "end") => Some(r.caption.clone()),
            _ => None,
        };
        let label = HeadingParams {
            id: self.id.clone(),
            text: r.text.clone(),
            html: r.html.clone(),
            visually_hidden_text: r.visually_hidden_text.clone(),
            caption: inner_caption,
            size: r.size.clone(),
            classes: self.classes.clone(),
            attributes: self.attributes.clone(),
            element: Some("label".to_owned()),
            ..HeadingParams::default()
        };
        let inner = label.render_with(&HeadingOpts {
            class_name: "nhsuk-label",
            class_prefix: Some("nhsuk-label--"),
            sizes: &["s", "m", "l", "xl"],
            pre_attrs: Attrs::new().opt("for", self.r#for.as_deref()).build(),
            caller,
        });

        let mut out = String::new();
        if placement.as_deref() == Some("before") {
            out.push_str(&r.caption.render());
            out.push('\n');
        }
        if r.has_heading {
            let element = escape(&format!("h{}", nonempty(&r.heading.level).unwrap_or("1")));
            let id = nonempty(&r.heading.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default();
            let attrs = Attrs::new().extend(&r.heading.attributes).build();
            out.push_str(&format!(
                "<{element} class=\"nhsuk-label-wrapper\"{id}{attrs}>\n{inner}\n</{element}>"
            ));
        } else {
            out.push_str(&inner);
        }
        if placement.as_deref() == Some("after") {
            out.push('\n');
            out.push_str(&r.caption.render());
        }
        out
    }
}
