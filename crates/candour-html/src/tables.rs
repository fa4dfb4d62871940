//! Table (`components/tables`), optionally responsive, sortable, scrolling or inside a card.

use serde::{Deserialize, Deserializer};

use crate::attributes::{Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::card::{CardHeading, CardParams};
use crate::de;
use crate::heading::{HeadingOpts, HeadingParams};
use crate::i18n;
use crate::scroll::ScrollParams;
use crate::util::{classes_contain, classes_contain_any, escape, nonempty, truthy};

/// Params of the table macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableParams {
    /// Column headers (strings or cells; falsy entries are skipped).
    #[serde(default, deserialize_with = "de::text_items")]
    pub head: Vec<TableCell>,
    /// Rows of cells (strings or cells; falsy rows and cells are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub rows: Vec<TableRow>,
    /// Caption (string or caption options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<TableCaption>,
    /// Make the first cell of each row a row header.
    pub first_cell_is_header: Option<bool>,
    /// Stack the cells on small screens, each with its column header.
    pub responsive: Option<bool>,
    /// Compact rows.
    pub compact: Option<bool>,
    /// Striped rows.
    pub striped: Option<bool>,
    /// `false` removes the row borders.
    pub border: Option<bool>,
    /// `false` removes the last row's border.
    pub last_row_border: Option<bool>,
    /// Wrap the table in a horizontally scrolling region.
    pub scroll: Option<bool>,
    /// Variant: `reverse`.
    pub variant: Option<String>,
    /// Wrap the table in a card: `true` or card options.
    #[serde(default, deserialize_with = "de::obj_or_bool")]
    pub card: Option<CardParams>,
    /// Deprecated: `card: { variant: "feature" }`.
    pub panel: Option<bool>,
    /// Deprecated: `card: { classes }`.
    pub panel_classes: Option<String>,
    /// Deprecated: `card: { heading }`.
    pub heading: Option<String>,
    /// Deprecated: `card: { heading: { level } }`.
    #[serde(default, deserialize_with = "de::loose")]
    pub heading_level: Option<String>,
    /// Sort announcement for screen readers (JavaScript translation).
    pub sort_announcement_text: Option<String>,
    /// "ascending" (JavaScript translation).
    pub ascending_text: Option<String>,
    /// "descending" (JavaScript translation).
    pub descending_text: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Deprecated: `classes`.
    pub table_classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A table row.
#[derive(Debug, Clone, Default)]
pub struct TableRow(pub Vec<TableCell>);

impl<'de> Deserialize<'de> for TableRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::text_items(d).map(TableRow)
    }
}

/// The table caption.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableCaption {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text (default for sortable tables: "Column headers are sortable").
    pub visually_hidden_text: Option<String>,
    /// A caption for the caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Size: `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
crate::de::from_text!(TableCaption);

/// A header or data cell (a string means `{ text }`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableCell {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text after the content.
    pub visually_hidden_text: Option<String>,
    /// Link the content.
    pub href: Option<String>,
    /// `numeric` (right-aligned, tabular figures) or `string`.
    pub format: Option<String>,
    /// `left`, `centre` or `right`.
    pub align: Option<String>,
    /// Width (for example `one-half`).
    pub width: Option<String>,
    /// Headers: sortable column; `true` or the current sort (`ascending`, `descending`).
    #[serde(default, deserialize_with = "de::loose_truthy")]
    pub sort: Option<String>,
    /// Headers: next sort direction.
    pub sort_next: Option<String>,
    /// Data cells: the value to sort by.
    #[serde(default, deserialize_with = "de::loose")]
    pub sort_value: Option<String>,
    /// `colspan` (not for responsive tables).
    #[serde(default, deserialize_with = "de::loose")]
    pub colspan: Option<String>,
    /// `rowspan`.
    #[serde(default, deserialize_with = "de::loose")]
    pub rowspan: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl TableCell {
    /// A cell with text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }
}

crate::de::from_text!(TableCell);

/// The parent context of a cell (`_tableCell`'s `parent` argument).
struct CellCtx<'a> {
    responsive: bool,
    /// The column header, for body cells.
    header: Option<&'a TableCell>,
}

/// One cell as the template builds it for `_tableCell`.
struct Cell<'a> {
    src: &'a TableCell,
    format: Option<&'a str>,
    align: Option<&'a str>,
    scope: Option<&'a str>,
    role: Option<&'a str>,
    colspan: Option<&'a str>,
    extra_attrs: String,
    element: &'a str,
}

/// `_tableValue`: the content plus its visually hidden text.
fn table_value(text: &Option<String>, html: &Option<String>, vht: &Option<String>) -> String {
    let mut out = String::new();
    let mut vht = nonempty(vht).map(str::to_owned);
    if truthy(html) || truthy(text) {
        if let Some(v) = &vht {
            vht = Some(format!(" {v}"));
        }
        if let Some(h) = nonempty(html) {
            out.push_str(h);
        } else if let Some(t) = nonempty(text) {
            out.push_str(&escape(t));
        }
    }
    if let Some(v) = vht {
        out.push_str(&format!(
            "<span class=\"nhsuk-u-visually-hidden\">{}</span>",
            escape(&v)
        ));
    }
    out
}

fn render_cell(c: &Cell<'_>, ctx: &CellCtx<'_>) -> String {
    let item = c.src;
    let element = c.element;
    let base = if element == "th" {
        "nhsuk-table__header"
    } else {
        "nhsuk-table__cell"
    };
    let mut class_names = base.to_owned();
    if c.format == Some("numeric") && !classes_contain(&item.classes, &format!("{base}--numeric")) {
        class_names.push_str(&format!(" {base}--numeric"));
    }
    if let Some(align) = c.align.filter(|a| ["left", "centre", "right"].contains(a)) {
        if !classes_contain_any(
            &item.classes,
            &[
                "nhsuk-u-text-align-left",
                "nhsuk-u-text-align-centre",
                "nhsuk-u-text-align-right",
            ],
        ) {
            class_names.push_str(&format!(" nhsuk-u-text-align-{align}"));
        }
    }
    if let Some(w) = nonempty(&item.width) {
        if !classes_contain(&item.classes, &format!("nhsuk-u-width-{w}")) {
            class_names.push_str(&format!(" nhsuk-u-width-{w}"));
        }
    }
    crate::util::push_classes(&mut class_names, &item.classes);
    let attrs = Attrs::new()
        .set("class", &class_names)
        .opt("scope", c.scope)
        .opt("role", c.role)
        .opt("colspan", c.colspan)
        .opt("rowspan", item.rowspan.as_deref())
        .raw(&c.extra_attrs)
        .extend(&item.attributes)
        .build();

    let value = table_value(&item.text, &item.html, &item.visually_hidden_text);
    let inner = match nonempty(&item.href) {
        Some(href) => format!("<a class=\"nhsuk-link\" href=\"{}\">{}</a>", escape(href), value.trim()),
        None => value.trim().to_owned(),
    };
    let body = match (ctx.responsive, ctx.header) {
        (true, Some(header)) => {
            let heading = table_value(&header.text, &header.html, &header.visually_hidden_text);
            let content = if truthy(&item.html) {
                format!("<span>{inner}</span>")
            } else {
                inner
            };
            format!(
                "<span class=\"nhsuk-table__heading\" aria-hidden=\"true\">{} </span>{content}",
                heading.trim()
            )
        }
        _ => inner,
    };
    format!("<{element}{attrs}>\n{body}\n</{element}>")
}

impl TableParams {
    /// Render the table (with its scroll region and card, when asked for).
    pub fn render(&self) -> String {
        let responsive = self.responsive == Some(true);
        let caption = self.caption.clone().unwrap_or_default();
        let mut class_names = "nhsuk-table".to_owned();
        if self.variant.as_deref() == Some("reverse")
            && !classes_contain_any(
                &self.classes,
                &["nhsuk-table--reverse", "nhsuk-table-responsive--reverse"],
            )
        {
            class_names.push_str(" nhsuk-table--reverse");
        }
        if self.compact == Some(true) && !classes_contain(&self.classes, "nhsuk-table--compact") {
            class_names.push_str(" nhsuk-table--compact");
        }
        if responsive && !classes_contain(&self.classes, "nhsuk-table--responsive") {
            class_names.push_str(" nhsuk-table--responsive");
        }
        if self.border == Some(false) && !classes_contain(&self.classes, "nhsuk-table--no-border") {
            class_names.push_str(" nhsuk-table--no-border");
        } else if self.last_row_border == Some(false)
            && !classes_contain(&self.classes, "nhsuk-table--no-last-row-border")
        {
            class_names.push_str(" nhsuk-table--no-last-row-border");
        }

        // Sortable columns; the table is sorted on the server when a sortable column has a link.
        let mut is_sortable = false;
        let mut is_sortable_on_server = false;
        for item in &self.head {
            is_sortable = is_sortable || truthy(&item.sort);
            is_sortable_on_server = is_sortable_on_server || (is_sortable && truthy(&item.href));
        }
        if is_sortable && !classes_contain(&self.classes, "nhsuk-table--sortable") {
            class_names.push_str(" nhsuk-table--sortable");
        }
        if self.striped == Some(true) && !classes_contain(&self.classes, "nhsuk-table--striped") {
            class_names.push_str(" nhsuk-table--striped");
        }
        if let Some(c) = nonempty(&self.classes).or(nonempty(&self.table_classes)) {
            class_names.push(' ');
            class_names.push_str(c);
        }
        let sortable = class_names.contains("nhsuk-table--sortable");

        let scroll = self.scroll == Some(true);
        let caption_id = caption
            .id
            .clone()
            .or_else(|| nonempty(&self.id).filter(|_| scroll).map(|id| format!("{id}-caption")))
            .or_else(|| {
                nonempty(&caption.text).filter(|_| scroll).map(|t| {
                    let slug: String = t.replace(' ', "-").to_lowercase().chars().take(40).collect();
                    format!("table-{slug}-caption")
                })
            });
        let caption_vht = caption
            .visually_hidden_text
            .clone()
            .or_else(|| sortable.then(|| "Column headers are sortable".to_owned()));

        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .opt(
                "data-module",
                (sortable && !is_sortable_on_server).then_some("nhsuk-table"),
            )
            .raw(&i18n::message("sort-announcement", &self.sort_announcement_text))
            .raw(&i18n::message("ascending", &self.ascending_text))
            .raw(&i18n::message("descending", &self.descending_text))
            .opt("role", responsive.then_some("table"))
            .extend(&self.attributes)
            .build();

        let mut parts = Vec::new();
        if truthy(&caption.text) || truthy(&caption.html) {
            let mut inner_caption = caption.caption.clone().unwrap_or_default();
            if !matches!(inner_caption.placement.as_deref(), None | Some("start" | "end")) {
                inner_caption.placement = None;
            }
            if inner_caption.size.is_none() {
                inner_caption.size = caption.size.clone();
            }
            parts.push(
                HeadingParams {
                    id: caption_id.clone(),
                    text: caption.text.clone(),
                    html: caption.html.clone(),
                    visually_hidden_text: caption_vht.as_ref().filter(|v| !v.is_empty()).map(|v| format!("({v})")),
                    caption: Some(inner_caption),
                    size: caption.size.clone(),
                    classes: caption.classes.clone(),
                    attributes: caption.attributes.clone(),
                    element: Some("caption".to_owned()),
                    ..HeadingParams::default()
                }
                .render_with(&HeadingOpts {
                    class_name: "nhsuk-table__caption",
                    class_prefix: Some("nhsuk-table__caption--"),
                    sizes: &["s", "m", "l", "xl"],
                    ..HeadingOpts::default()
                }),
            );
        }
        let row_role = if responsive { " role=\"row\"" } else { "" };
        if !self.head.is_empty() {
            let mut cells = Vec::new();
            for header in &self.head {
                let sort = nonempty(&header.sort).map(|s| if s == "true" { "none" } else { s });
                let extra = Attrs::new()
                    .flag("data-sort", sort.is_some() && is_sortable)
                    .opt(
                        "data-sort-next",
                        nonempty(&header.sort_next).filter(|_| is_sortable && !is_sortable_on_server),
                    )
                    .opt("aria-sort", sort.filter(|s| *s != "none" && is_sortable))
                    .build();
                cells.push(render_cell(
                    &Cell {
                        src: header,
                        format: header.format.as_deref(),
                        align: header.align.as_deref(),
                        scope: Some("col"),
                        role: responsive.then_some("columnheader"),
                        colspan: header.colspan.as_deref().filter(|_| !responsive),
                        extra_attrs: extra,
                        element: "th",
                    },
                    &CellCtx {
                        responsive,
                        header: None,
                    },
                ));
            }
            parts.push(format!(
                "<thead class=\"nhsuk-table__head\"{}>\n<tr class=\"nhsuk-table__row\"{row_role}>\n{}\n</tr>\n</thead>",
                if responsive { " role=\"rowgroup\"" } else { "" },
                cells.join("\n")
            ));
        }
        let empty = TableCell::default();
        let mut rows = Vec::new();
        for row in &self.rows {
            let mut cells = Vec::new();
            for (i, data) in row.0.iter().enumerate() {
                let header = self.head.get(i).unwrap_or(&empty);
                let first_header = i == 0 && self.first_cell_is_header == Some(true);
                let align = data.align.as_deref().or_else(|| {
                    if data.format.as_deref() == Some("string") && header.format.as_deref() == Some("numeric") {
                        Some("right")
                    } else {
                        header.align.as_deref()
                    }
                });
                let extra = Attrs::new()
                    .opt_truthy("data-sort-value", data.sort_value.as_deref())
                    .build();
                cells.push(render_cell(
                    &Cell {
                        src: data,
                        format: data.format.as_deref().or(header.format.as_deref()),
                        align,
                        scope: first_header.then_some("row"),
                        role: responsive.then_some(if first_header { "rowheader" } else { "cell" }),
                        colspan: data.colspan.as_deref().filter(|_| !responsive),
                        extra_attrs: extra,
                        element: if first_header { "th" } else { "td" },
                    },
                    &CellCtx {
                        responsive,
                        header: Some(header),
                    },
                ));
            }
            rows.push(format!(
                "<tr class=\"nhsuk-table__row\"{row_role}>\n{}\n</tr>",
                cells.join("\n")
            ));
        }
        parts.push(format!(
            "<tbody class=\"nhsuk-table__body\">\n{}\n</tbody>",
            rows.join("\n")
        ));
        let mut html = format!("<table{attrs}>\n{}\n</table>", parts.join("\n"));

        if scroll {
            html = ScrollParams {
                html: Some(html),
                labelled_by: caption_id,
                variant: self.variant.clone(),
                ..ScrollParams::default()
            }
            .render();
        }
        let panel = self.panel == Some(true);
        if self.card.is_some() || panel {
            let card = self.card.clone().unwrap_or_default();
            let heading = card.heading.clone().unwrap_or_else(|| CardHeading {
                text: self.heading.clone(),
                level: self.heading_level.clone(),
                ..CardHeading::default()
            });
            return CardParams {
                id: card.id,
                heading: Some(heading),
                href: card.href,
                actions: card.actions,
                classes: self.panel_classes.clone().or(card.classes),
                attributes: card.attributes,
                variant: card.variant.or_else(|| panel.then(|| "feature".to_owned())),
                ..CardParams::default()
            }
            .render_with_caller(&html);
        }
        html
    }
}
