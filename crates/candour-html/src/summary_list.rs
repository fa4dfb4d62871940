//! Summary list (`components/summary-list`, with `components/summary-list/row`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::card::{Actions, ActionsParams, CardParams};
use crate::de::{self, from_text};
use crate::util::{classes_contain, escape, html_or_text, nonempty, push_classes};

/// Params of the summary list macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryListParams {
    /// The rows (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub rows: Vec<SummaryListRow>,
    /// Rows as markup instead of `rows`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// `false` removes the row borders.
    pub border: Option<bool>,
    /// `false` removes the last row's border.
    pub last_row_border: Option<bool>,
    /// Wrap the list in a card with these options.
    pub card: Option<CardParams>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// One summary list row.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryListRow {
    /// The key (string or cell options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub key: Option<SummaryListCell>,
    /// The value (string or cell options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub value: Option<SummaryListCell>,
    /// Actions: a list of actions or `{ items, classes, width, id, attributes }`.
    pub actions: Option<Actions>,
    /// `false` removes this row's border.
    pub border: Option<bool>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A summary list key or value.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryListCell {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Width (for example `one-third`).
    pub width: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(SummaryListCell);

impl SummaryListParams {
    /// Render the summary list.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup: the rows) in place of `rows`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-summary-list".to_owned();
        if self.border == Some(false) && !classes_contain(&self.classes, "nhsuk-summary-list--no-border") {
            class_names.push_str(" nhsuk-summary-list--no-border");
        } else if self.last_row_border == Some(false)
            && !classes_contain(&self.classes, "nhsuk-summary-list--no-last-row-border")
        {
            class_names.push_str(" nhsuk-summary-list--no-last-row-border");
        }
        push_classes(&mut class_names, &self.classes);

        let has_actions = self.rows.iter().any(|r| {
            r.actions
                .as_ref()
                .is_some_and(|a| !a.list_form && !a.params.items.is_empty())
        });
        let mut inner = Vec::new();
        if let Some(c) = caller {
            inner.push(c.trim().to_owned());
        } else if let Some(h) = nonempty(&self.html) {
            inner.push(h.trim().to_owned());
        } else {
            let last = self.rows.len().saturating_sub(1);
            for (i, row) in self.rows.iter().enumerate() {
                inner.push(self.render_row(row, i == last, has_actions));
            }
        }
        let id = nonempty(&self.id)
            .map(|id| format!(" id=\"{}\"", escape(id)))
            .unwrap_or_default();
        let html = format!(
            "<dl class=\"{}\"{id}{}>\n{}\n</dl>",
            escape(&class_names),
            attrs_html(&self.attributes),
            inner.join("\n")
        );
        match &self.card {
            Some(card) => card.render_with_caller(&html),
            None => html,
        }
    }

    fn render_row(&self, row: &SummaryListRow, is_last: bool, has_actions: bool) -> String {
        let empty = ActionsParams::default();
        let actions = row.actions.as_ref().map_or(&empty, |a| &a.params);
        let mut class_names = "nhsuk-summary-list__row".to_owned();
        if has_actions && actions.items.is_empty() {
            class_names.push_str(" nhsuk-summary-list__row--no-actions");
        }
        // The list's own border options already cover the last row.
        let list_handles_border = classes_contain(&self.classes, "nhsuk-summary-list--no-border")
            || classes_contain(&self.classes, "nhsuk-summary-list--no-last-row-border")
            || (self.last_row_border == Some(false) && is_last);
        if row.border == Some(false)
            && !classes_contain(&row.classes, "nhsuk-summary-list__row--no-border")
            && !list_handles_border
        {
            class_names.push_str(" nhsuk-summary-list__row--no-border");
        }
        push_classes(&mut class_names, &row.classes);

        let key = row.key.clone().unwrap_or_default();
        let value = row.value.clone().unwrap_or_default();
        let cell = |tag: &str, base: &str, c: &SummaryListCell| {
            let mut classes = base.to_owned();
            if let Some(w) = nonempty(&c.width) {
                let width_class = format!("nhsuk-u-width-{w}");
                if !classes_contain(&c.classes, &width_class) {
                    classes.push(' ');
                    classes.push_str(&width_class);
                }
            }
            push_classes(&mut classes, &c.classes);
            format!(
                "<{tag} class=\"{}\"{}{}>\n{}\n</{tag}>",
                escape(&classes),
                nonempty(&c.id)
                    .map(|id| format!(" id=\"{}\"", escape(id)))
                    .unwrap_or_default(),
                attrs_html(&c.attributes),
                html_or_text(&c.html, &c.text).unwrap_or_default()
            )
        };
        let mut parts = vec![
            cell("dt", "nhsuk-summary-list__key", &key),
            cell("dd", "nhsuk-summary-list__value", &value),
        ];
        if !actions.items.is_empty() {
            let mut classes = "nhsuk-summary-list__actions".to_owned();
            if let Some(w) = nonempty(&actions.width) {
                let width_class = format!("nhsuk-u-width-{w}");
                if !classes_contain(&actions.classes, &width_class) {
                    classes.push(' ');
                    classes.push_str(&width_class);
                }
            }
            push_classes(&mut classes, &actions.classes);
            let heading = self.card.as_ref().and_then(|c| c.heading.as_ref());
            let body = if actions.items.len() == 1 {
                actions.items[0].render(heading)
            } else {
                let items: Vec<String> = actions
                    .items
                    .iter()
                    .map(|a| {
                        format!(
                            "<li class=\"nhsuk-summary-list__actions-list-item\">\n{}\n</li>",
                            a.render(heading)
                        )
                    })
                    .collect();
                format!(
                    "<ul class=\"nhsuk-summary-list__actions-list\">\n{}\n</ul>",
                    items.join("\n")
                )
            };
            parts.push(format!(
                "<dd class=\"{}\"{}{}>\n{body}\n</dd>",
                escape(&classes),
                nonempty(&actions.id)
                    .map(|id| format!(" id=\"{}\"", escape(id)))
                    .unwrap_or_default(),
                attrs_html(&actions.attributes)
            ));
        }
        format!(
            "<div class=\"{}\"{}{}>\n{}\n</div>",
            escape(&class_names),
            nonempty(&row.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default(),
            attrs_html(&row.attributes),
            parts.join("\n")
        )
    }
}
