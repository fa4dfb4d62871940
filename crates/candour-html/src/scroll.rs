//! Scroll container (`components/scroll`): a horizontally scrolling region, used by wide tables.

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::util::{classes_contain, escape, nonempty, push_classes};

/// Params of the scroll macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScrollParams {
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Content markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Id of the element labelling the region (`aria-labelledby`).
    pub labelled_by: Option<String>,
    /// Variant: `reverse`.
    pub variant: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl ScrollParams {
    /// Render the scroll container.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-scroll".to_owned();
        if self.variant.as_deref() == Some("reverse") && !classes_contain(&self.classes, "nhsuk-scroll--reverse") {
            class_names.push_str(" nhsuk-scroll--reverse");
        }
        push_classes(&mut class_names, &self.classes);
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .set("data-module", "nhsuk-scroll")
            .extend(&self.attributes)
            .build();
        let labelled_by = nonempty(&self.labelled_by)
            .map(|l| format!(" aria-labelledby=\"{}\"", escape(l)))
            .unwrap_or_default();
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => match (nonempty(&self.html), nonempty(&self.text)) {
                (Some(h), _) => h.trim().to_owned(),
                (None, Some(t)) => format!("<p>{}</p>", escape(t.trim())),
                (None, None) => String::new(),
            },
        };
        format!(
            "<div{attrs}>\n<div class=\"nhsuk-scroll__content\" role=\"region\"{labelled_by}>\n{body}\n</div>\n</div>"
        )
    }
}
