//! Skip link (`components/skip-link`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::util::{escape, nonempty, push_classes};

/// Params of the skip link macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SkipLinkParams {
    /// Link text (escaped; default `Skip to main content`).
    pub text: Option<String>,
    /// Link markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Link target (default `#maincontent`).
    pub href: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl SkipLinkParams {
    /// Render the skip link.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-skip-link".to_owned();
        push_classes(&mut class_names, &self.classes);
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .set("data-module", "nhsuk-skip-link")
            .set("href", nonempty(&self.href).unwrap_or("#maincontent"))
            .extend(&self.attributes)
            .build();
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => match nonempty(&self.html) {
                Some(h) => h.trim().to_owned(),
                None => escape(nonempty(&self.text).unwrap_or("Skip to main content").trim()),
            },
        };
        format!("<a{attrs}>\n{body}\n</a>")
    }
}
