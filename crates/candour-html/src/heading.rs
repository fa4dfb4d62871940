//! Heading (`components/heading`): also the building block of labels, legends, card headings and
//! table captions.

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::de::{self, from_text};
use crate::util::{classes_contain, escape, nonempty, push_classes, truthy};

/// Params of the heading macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeadingParams {
    /// Heading text (escaped).
    pub text: Option<String>,
    /// Heading markup, used instead of `text`. Trusted: callers must only pass markup they built
    /// from escaped parts.
    pub html: Option<String>,
    /// Visually hidden text appended to the heading.
    pub visually_hidden_text: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Turns the heading text into a link.
    pub href: Option<String>,
    /// Size: `xxs`, `xs`, `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    /// Heading level (default 1).
    #[serde(default, deserialize_with = "de::loose")]
    pub level: Option<String>,
    /// Element to use instead of `h{level}`.
    pub element: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(HeadingParams);

const HEADING_SIZES: &[&str] = &["xxs", "xs", "s", "m", "l", "xl"];

/// The heading macro's private params, used by the components built on it.
pub(crate) struct HeadingOpts<'a> {
    /// Base class (default `nhsuk-heading`; may be empty for no class).
    pub class_name: &'a str,
    /// Size class prefix (default `{class_name}-`).
    pub class_prefix: Option<&'a str>,
    /// Permitted sizes.
    pub sizes: &'a [&'a str],
    /// Attributes rendered before `attributes` (already rendered).
    pub pre_attrs: String,
    /// Call block content.
    pub caller: Option<&'a str>,
}

impl Default for HeadingOpts<'_> {
    fn default() -> Self {
        Self {
            class_name: "nhsuk-heading",
            class_prefix: None,
            sizes: HEADING_SIZES,
            pre_attrs: String::new(),
            caller: None,
        }
    }
}

impl HeadingParams {
    /// Render the heading.
    pub fn render(&self) -> String {
        self.render_with(&HeadingOpts::default())
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_with(&HeadingOpts {
            caller: Some(caller),
            ..HeadingOpts::default()
        })
    }

    pub(crate) fn render_with(&self, o: &HeadingOpts<'_>) -> String {
        if o.caller.is_none() && !truthy(&self.html) && !truthy(&self.text) {
            return String::new();
        }
        let class_name = o.class_name;
        let class_prefix = o.class_prefix.map_or_else(|| format!("{class_name}-"), str::to_owned);
        let mut class_names = class_name.to_owned();
        let mut size = None;
        if let Some(s) = nonempty(&self.size) {
            let taken = HEADING_SIZES
                .iter()
                .any(|x| classes_contain(&self.classes, &format!("{class_prefix}{x}")));
            if o.sizes.contains(&s) && !taken {
                size = Some(s.to_owned());
                if class_prefix.replace(class_name, "") == "-" {
                    class_names = format!("{class_prefix}{s}");
                } else {
                    class_names = format!("{class_names} {class_prefix}{s}");
                }
            }
        }
        push_classes(&mut class_names, &self.classes);

        let mut caption = self.caption.clone().unwrap_or_default();
        if caption.size.is_none() {
            caption.size = size;
        }
        let has_caption = truthy(&caption.text) || truthy(&caption.html);
        let placement = nonempty(&caption.placement);

        let mut inner = if let Some(h) = nonempty(&self.html) {
            h.trim().to_owned()
        } else {
            nonempty(&self.text).map(|t| escape(t.trim())).unwrap_or_default()
        };
        if let Some(href) = nonempty(&self.href) {
            inner = format!("<a class=\"nhsuk-link\" href=\"{}\">{inner}</a>", escape(href));
        }
        let body = o.caller.map_or(inner, |c| c.trim().to_owned());

        // The element name is escaped like any other output (`{{ element }}` in the template).
        let element = escape(&match nonempty(&self.element) {
            Some(e) => e.to_lowercase(),
            None => format!("h{}", nonempty(&self.level).unwrap_or("1")).to_lowercase(),
        });
        let attrs = Attrs::new()
            .opt_truthy("class", Some(&class_names))
            .opt("id", self.id.as_deref())
            .raw(&o.pre_attrs)
            .extend(&self.attributes)
            .build();

        let mut out = String::new();
        if placement == Some("before") {
            out.push_str(&caption.render());
            out.push('\n');
        }
        out.push_str(&format!("<{element}{attrs}>\n"));
        if placement == Some("start") || (has_caption && placement.is_none()) {
            out.push_str(&caption.render());
            out.push('\n');
        }
        out.push_str(&body);
        if let Some(vht) = nonempty(&self.visually_hidden_text) {
            out.push_str(&format!(
                "<span class=\"nhsuk-u-visually-hidden\"> {}</span>",
                escape(vht)
            ));
        }
        out.push('\n');
        if placement == Some("end") {
            out.push_str(&caption.render());
            out.push('\n');
        }
        out.push_str(&format!("</{element}>"));
        if placement == Some("after") {
            out.push('\n');
            out.push_str(&caption.render());
        }
        out
    }
}
