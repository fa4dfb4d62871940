//! Fieldset (`components/fieldset`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::de;
use crate::legend::LegendParams;
use crate::util::{nonempty, push_classes};

/// Params of the fieldset macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldsetParams {
    /// Legend (string or legend params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub legend: Option<LegendParams>,
    /// Content of the fieldset. Trusted: callers must only pass markup they built from escaped parts.
    pub html: Option<String>,
    /// `aria-describedby`: ids of hints or error messages describing the fieldset.
    pub described_by: Option<String>,
    /// `role` attribute.
    pub role: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl FieldsetParams {
    /// Render the fieldset.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-fieldset".to_owned();
        push_classes(&mut class_names, &self.classes);
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .opt("role", self.role.as_deref())
            .opt_truthy("aria-describedby", self.described_by.as_deref())
            .extend(&self.attributes)
            .build();
        let legend = self.legend.as_ref().map(LegendParams::render).unwrap_or_default();
        let body = match caller {
            Some(c) => c.trim(),
            None => nonempty(&self.html).map(str::trim).unwrap_or_default(),
        };
        format!("<fieldset{attrs}>\n{legend}\n{body}\n</fieldset>")
    }
}
