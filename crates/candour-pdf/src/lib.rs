//! PDF rendering of Candour's safety documents: a [`Document`] (Clinical Safety Case Report, Clinical Risk
//! Management Plan, issued hazard log) in, the bytes of a PDF 1.7 file out.
//!
//! Deliberately small: text only, set in the standard fonts Helvetica and Helvetica-Bold with
//! WinAnsiEncoding, so no font file is embedded and nothing on the host is needed. Characters outside
//! Windows-1252 become `?` (see [`font::encode_char`]).
//!
//! Layout: A4 portrait (a hazard log is A4 landscape, for its wide tables); the title and the front
//! matter at the top of the first page; numbered section headings kept with what follows them; wrapped
//! paragraphs; bullets with a hanging indent; key–value fields in two columns; tables with columns sized
//! by their content, wrapped cells, thin grid lines and the header row repeated on every page a table
//! runs onto. A row is never split across pages unless it is taller than a whole page. Every page ends
//! with "<title> — page N of M". Content streams are Flate-compressed.
//!
//! The output is deterministic: the same document always gives the same bytes (the file identifier is
//! taken from [`Document::content_hash`]; no dates are written).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod font;

use candour_core::clinical::{Block, Document, DocumentKind};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

pub use font::{encode, wrap, Font};

/// The document as a PDF file.
pub fn render(doc: &Document) -> Vec<u8> {
    let geometry = Geometry::for_kind(doc.kind);
    let mut layout = Layout::new(geometry);
    layout.title_block(doc);
    for section in &doc.sections {
        let heading = if section.number.trim().is_empty() {
            section.title.clone()
        } else {
            format!("{} {}", section.number.trim(), section.title)
        };
        layout.heading(&heading);
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => layout.paragraph(text),
                Block::Bullets(items) => layout.bullets(items),
                Block::Fields(fields) => layout.fields(fields),
                Block::Table { header, rows } => layout.table(header, rows),
            }
        }
    }
    let pages = layout.finish(&doc.title);
    write_pdf(doc, &geometry, pages)
}

// ---------------------------------------------------------------------------------------------------
// Geometry and type sizes (points)
// ---------------------------------------------------------------------------------------------------

const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;

const TITLE_SIZE: f32 = 20.0;
const TITLE_LEADING: f32 = 24.0;
const META_SIZE: f32 = 10.0;
const META_LEADING: f32 = 13.5;
const HEADING_SIZE: f32 = 13.0;
const HEADING_LEADING: f32 = 16.0;
const HEADING_SPACE_BEFORE: f32 = 14.0;
const HEADING_SPACE_AFTER: f32 = 5.0;
const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 13.5;
const BLOCK_SPACE_AFTER: f32 = 7.0;
const BULLET_INDENT: f32 = 14.0;
const BULLET_GAP: f32 = 2.0;
const KEY_GAP: f32 = 12.0;
const TABLE_SIZE: f32 = 8.0;
const TABLE_LEADING: f32 = 10.0;
const CELL_PAD: f32 = 3.0;
const MIN_COLUMN: f32 = 30.0;
const GRID_WIDTH: f32 = 0.5;
const GRID_GRAY: f32 = 0.55;
const HEADER_FILL_GRAY: f32 = 0.9;
const FOOTER_SIZE: f32 = 8.0;
const FOOTER_GRAY: f32 = 0.35;
/// The baseline sits this far below the top of its line box, as a share of the font size.
const ASCENT: f32 = 0.78;

const REGULAR_NAME: Name<'static> = Name(b"F1");
const BOLD_NAME: Name<'static> = Name(b"F2");

#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: f32,
    height: f32,
    margin_x: f32,
    margin_top: f32,
    margin_bottom: f32,
    footer_baseline: f32,
}

impl Geometry {
    fn for_kind(kind: DocumentKind) -> Geometry {
        match kind {
            DocumentKind::HazardLog => Geometry {
                width: A4_LONG,
                height: A4_SHORT,
                margin_x: 42.5,
                margin_top: 42.5,
                margin_bottom: 50.0,
                footer_baseline: 26.0,
            },
            DocumentKind::Cscr | DocumentKind::Crmp => Geometry {
                width: A4_SHORT,
                height: A4_LONG,
                margin_x: 56.7,
                margin_top: 56.7,
                margin_bottom: 62.0,
                footer_baseline: 34.0,
            },
        }
    }

    fn left(&self) -> f32 {
        self.margin_x
    }

    fn text_width(&self) -> f32 {
        self.width - 2.0 * self.margin_x
    }

    fn top(&self) -> f32 {
        self.height - self.margin_top
    }

    fn bottom(&self) -> f32 {
        self.margin_bottom
    }

    /// The height a page has for content.
    fn capacity(&self) -> f32 {
        self.top() - self.bottom()
    }
}

fn font_name(font: Font) -> Name<'static> {
    match font {
        Font::Regular => REGULAR_NAME,
        Font::Bold => BOLD_NAME,
    }
}

/// The baseline of the first line in a line box whose top is `top`.
fn first_baseline(top: f32, size: f32, leading: f32) -> f32 {
    top - (leading - size) / 2.0 - size * ASCENT
}

// ---------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------

/// A column of wrapped lines at one x position, for blocks laid out side by side (key and value, bullet
/// and text).
struct Column {
    x: f32,
    font: Font,
    lines: Vec<Vec<u8>>,
}

struct Layout {
    g: Geometry,
    pages: Vec<Content>,
    content: Content,
    /// The top of the next line box.
    y: f32,
    /// The font and size last selected on this page, to skip repeating `Tf`.
    current_font: Option<(Font, f32)>,
}

impl Layout {
    fn new(g: Geometry) -> Layout {
        let mut layout = Layout {
            g,
            pages: Vec::new(),
            content: Content::new(),
            y: g.top(),
            current_font: None,
        };
        layout.start_page();
        layout
    }

    fn start_page(&mut self) {
        self.content
            .set_line_width(GRID_WIDTH)
            .set_stroke_gray(GRID_GRAY)
            .set_fill_gray(0.0);
        self.current_font = None;
        self.y = self.g.top();
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.content, Content::new());
        self.pages.push(done);
        self.start_page();
    }

    fn at_top(&self) -> bool {
        (self.y - self.g.top()).abs() < 0.01
    }

    fn fits(&self, height: f32) -> bool {
        self.y - height >= self.g.bottom() - 0.01
    }

    /// Starts a new page unless `height` fits on this one (or this page is still empty).
    fn ensure(&mut self, height: f32) {
        if !self.fits(height) && !self.at_top() {
            self.new_page();
        }
    }

    fn text(&mut self, font: Font, size: f32, x: f32, baseline: f32, encoded: &[u8]) {
        if encoded.is_empty() {
            return;
        }
        self.content.begin_text();
        if self.current_font != Some((font, size)) {
            self.content.set_font(font_name(font), size);
            self.current_font = Some((font, size));
        }
        self.content.next_line(x, baseline).show(Str(encoded)).end_text();
    }

    /// Lays out columns of lines that share line boxes. With `keep_together`, the whole group moves to
    /// the next page if it does not fit here but would fit on a page of its own; otherwise lines flow
    /// onto the next page one by one.
    fn flow(&mut self, columns: &[Column], size: f32, leading: f32, keep_together: bool) {
        let count = columns.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        let height = count as f32 * leading;
        if keep_together && height <= self.g.capacity() {
            self.ensure(height);
        } else {
            // At least two lines together at the start (no orphaned first line).
            self.ensure(leading * count.min(2) as f32);
        }
        for i in 0..count {
            self.ensure(leading);
            let baseline = first_baseline(self.y, size, leading);
            for column in columns {
                if let Some(line) = column.lines.get(i) {
                    self.text(column.font, size, column.x, baseline, line);
                }
            }
            self.y -= leading;
        }
    }

    fn title_block(&mut self, doc: &Document) {
        let left = self.g.left();
        let width = self.g.text_width();
        let title = font::wrap_encoded(&encode(&doc.title), Font::Bold, TITLE_SIZE, width);
        self.flow(
            &[Column {
                x: left,
                font: Font::Bold,
                lines: title,
            }],
            TITLE_SIZE,
            TITLE_LEADING,
            true,
        );
        if !doc.meta.is_empty() {
            self.y -= 8.0;
            self.key_values(&doc.meta, META_SIZE, META_LEADING, 0.35);
        }
        // A rule under the front matter.
        self.y -= 8.0;
        let y = self.y;
        self.content.move_to(left, y).line_to(left + width, y).stroke();
        self.y -= 6.0;
    }

    /// Key–value rows in two columns: keys in bold, the key column as wide as the widest key up to
    /// `max_key_share` of the text width.
    fn key_values(&mut self, pairs: &[(String, String)], size: f32, leading: f32, max_key_share: f32) {
        let left = self.g.left();
        let width = self.g.text_width();
        let encoded: Vec<(Vec<u8>, Vec<u8>)> = pairs.iter().map(|(k, v)| (encode(k), encode(v))).collect();
        let widest_key = encoded
            .iter()
            .map(|(k, _)| font::widest_line(k, Font::Bold, size))
            .fold(0.0_f32, f32::max);
        let key_width = widest_key.min(width * max_key_share);
        let value_x = left + key_width + KEY_GAP;
        let value_width = width - key_width - KEY_GAP;
        for (key, value) in &encoded {
            let columns = [
                Column {
                    x: left,
                    font: Font::Bold,
                    lines: font::wrap_encoded(key, Font::Bold, size, key_width),
                },
                Column {
                    x: value_x,
                    font: Font::Regular,
                    lines: font::wrap_encoded(value, Font::Regular, size, value_width),
                },
            ];
            self.flow(&columns, size, leading, true);
            self.y -= 2.0;
        }
    }

    fn heading(&mut self, text: &str) {
        let lines = font::wrap_encoded(&encode(text), Font::Bold, HEADING_SIZE, self.g.text_width());
        let height = lines.len() as f32 * HEADING_LEADING;
        // Keep the heading with at least three lines of what follows.
        let needed = HEADING_SPACE_BEFORE + height + HEADING_SPACE_AFTER + 3.0 * BODY_LEADING;
        if !self.fits(needed) && !self.at_top() {
            self.new_page();
        }
        if !self.at_top() {
            self.y -= HEADING_SPACE_BEFORE;
        }
        let x = self.g.left();
        self.flow(
            &[Column {
                x,
                font: Font::Bold,
                lines,
            }],
            HEADING_SIZE,
            HEADING_LEADING,
            true,
        );
        self.y -= HEADING_SPACE_AFTER;
    }

    fn paragraph(&mut self, text: &str) {
        let lines = font::wrap_encoded(&encode(text), Font::Regular, BODY_SIZE, self.g.text_width());
        let x = self.g.left();
        self.flow(
            &[Column {
                x,
                font: Font::Regular,
                lines,
            }],
            BODY_SIZE,
            BODY_LEADING,
            false,
        );
        self.y -= BLOCK_SPACE_AFTER;
    }

    fn bullets(&mut self, items: &[String]) {
        let left = self.g.left();
        let text_x = left + BULLET_INDENT;
        let width = self.g.text_width() - BULLET_INDENT;
        for item in items {
            let lines = font::wrap_encoded(&encode(item), Font::Regular, BODY_SIZE, width);
            let columns = [
                Column {
                    x: left + 3.0,
                    font: Font::Regular,
                    lines: vec![vec![0x95]], // bullet
                },
                Column {
                    x: text_x,
                    font: Font::Regular,
                    lines,
                },
            ];
            self.flow(&columns, BODY_SIZE, BODY_LEADING, true);
            self.y -= BULLET_GAP;
        }
        self.y -= BLOCK_SPACE_AFTER - BULLET_GAP;
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        self.key_values(fields, BODY_SIZE, BODY_LEADING, 0.35);
        self.y -= BLOCK_SPACE_AFTER;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let columns = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let header: Vec<Vec<u8>> = (0..columns)
            .map(|i| header.get(i).map(|h| encode(h)).unwrap_or_default())
            .collect();
        let body: Vec<Vec<Vec<u8>>> = rows
            .iter()
            .map(|r| {
                (0..columns)
                    .map(|i| r.get(i).map(|c| encode(c)).unwrap_or_default())
                    .collect()
            })
            .collect();
        let widths = column_widths(&header, &body, self.g.text_width());
        let table = Table {
            x: self.g.left(),
            widths,
        };

        let has_header = header.iter().any(|h| !h.is_empty());
        let header_lines: Vec<Vec<Vec<u8>>> = if has_header {
            table.wrap(&header, Font::Bold)
        } else {
            Vec::new()
        };
        let header_height = row_height(&header_lines);

        let mut first = true;
        for row in &body {
            let lines = table.wrap(row, Font::Regular);
            let height = row_height(&lines);
            let whole_fits_a_page = header_height + height <= self.g.capacity();
            if first {
                // The header never stands alone at the foot of a page.
                let needed = header_height
                    + if whole_fits_a_page {
                        height
                    } else {
                        TABLE_LEADING + 2.0 * CELL_PAD
                    };
                self.ensure(needed);
                self.table_header(&table, &header_lines, header_height);
                first = false;
            }
            if self.fits(height) {
                self.table_row(&table, &lines, 0, usize::MAX, Font::Regular);
            } else if whole_fits_a_page {
                self.new_page();
                self.table_header(&table, &header_lines, header_height);
                self.table_row(&table, &lines, 0, usize::MAX, Font::Regular);
            } else {
                self.split_row(&table, &lines, &header_lines, header_height);
            }
        }
        if first {
            // A table with a header and no rows.
            self.ensure(header_height);
            self.table_header(&table, &header_lines, header_height);
        }
        self.y -= BLOCK_SPACE_AFTER + 3.0;
    }

    fn table_header(&mut self, table: &Table, lines: &[Vec<Vec<u8>>], height: f32) {
        if lines.is_empty() {
            return;
        }
        let top = self.y;
        self.content
            .set_fill_gray(HEADER_FILL_GRAY)
            .rect(table.x, top - height, table.total(), height)
            .fill_nonzero()
            .set_fill_gray(0.0);
        self.table_row(table, lines, 0, usize::MAX, Font::Bold);
    }

    /// Draws lines `from..to` of each cell of a row as one row box at the current position.
    fn table_row(&mut self, table: &Table, cells: &[Vec<Vec<u8>>], from: usize, to: usize, font: Font) {
        let count = cells
            .iter()
            .map(|c| c.len().min(to).saturating_sub(from))
            .max()
            .unwrap_or(0)
            .max(1);
        let height = count as f32 * TABLE_LEADING + 2.0 * CELL_PAD;
        let top = self.y;
        let first = first_baseline(top - CELL_PAD, TABLE_SIZE, TABLE_LEADING);
        let mut x = table.x;
        for (cell, width) in cells.iter().zip(&table.widths) {
            let end = cell.len().min(to);
            if from < end {
                for (i, line) in cell[from..end].iter().enumerate() {
                    self.text(font, TABLE_SIZE, x + CELL_PAD, first - i as f32 * TABLE_LEADING, line);
                }
            }
            x += width;
        }
        // Grid: the row's box and the rules between its cells.
        let bottom = top - height;
        self.content.rect(table.x, bottom, table.total(), height);
        let mut x = table.x;
        for width in &table.widths[..table.widths.len().saturating_sub(1)] {
            x += width;
            self.content.move_to(x, top).line_to(x, bottom);
        }
        self.content.stroke();
        self.y = bottom;
    }

    /// A row taller than a page: as many of its lines as fit on each page, the header repeated.
    fn split_row(&mut self, table: &Table, lines: &[Vec<Vec<u8>>], header: &[Vec<Vec<u8>>], header_height: f32) {
        let total = lines.iter().map(Vec::len).max().unwrap_or(0);
        let mut from = 0;
        let mut fresh = false;
        while from < total {
            let mut room = ((self.y - self.g.bottom() - 2.0 * CELL_PAD) / TABLE_LEADING).floor();
            if room < 1.0 && !fresh {
                self.new_page();
                self.table_header(table, header, header_height);
                fresh = true;
                continue;
            }
            // On a fresh page always make progress, however tall the header.
            room = room.max(1.0);
            fresh = false;
            let to = (from + room as usize).min(total);
            self.table_row(table, lines, from, to, Font::Regular);
            from = to;
            if from < total {
                self.new_page();
                self.table_header(table, header, header_height);
                fresh = true;
            }
        }
    }

    /// The finished page contents, each with its footer.
    fn finish(mut self, title: &str) -> Vec<Content> {
        let last = std::mem::replace(&mut self.content, Content::new());
        self.pages.push(last);
        let total = self.pages.len();
        let width = self.g.text_width();
        let title = encode(title);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let line = footer_line(&title, i + 1, total, width);
            let w = Font::Regular.width_encoded(&line, FOOTER_SIZE);
            let x = self.g.left() + (width - w).max(0.0) / 2.0;
            page.set_fill_gray(FOOTER_GRAY)
                .begin_text()
                .set_font(REGULAR_NAME, FOOTER_SIZE)
                .next_line(x, self.g.footer_baseline)
                .show(Str(&line))
                .end_text();
        }
        self.pages
    }
}

/// "<title> — page N of M", the title shortened with an ellipsis to fit `width`.
fn footer_line(title: &[u8], page: usize, total: usize, width: f32) -> Vec<u8> {
    let mut suffix = vec![b' ', 0x97, b' '];
    suffix.extend_from_slice(format!("page {page} of {total}").as_bytes());
    let suffix_w = Font::Regular.width_encoded(&suffix, FOOTER_SIZE);
    // The title on one line.
    let title: Vec<u8> = title.iter().map(|&b| if b == b'\n' { b' ' } else { b }).collect();
    let mut line = title.clone();
    if Font::Regular.width_encoded(&line, FOOTER_SIZE) + suffix_w > width {
        let ellipsis_w = Font::Regular.width_encoded(&[0x85], FOOTER_SIZE);
        let mut keep = title.len();
        while keep > 0 && Font::Regular.width_encoded(&title[..keep], FOOTER_SIZE) + ellipsis_w + suffix_w > width {
            keep -= 1;
        }
        line = title[..keep].to_vec();
        while line.last() == Some(&b' ') {
            line.pop();
        }
        line.push(0x85);
    }
    line.extend_from_slice(&suffix);
    line
}

struct Table {
    x: f32,
    widths: Vec<f32>,
}

impl Table {
    fn total(&self) -> f32 {
        self.widths.iter().sum()
    }

    fn wrap(&self, cells: &[Vec<u8>], font: Font) -> Vec<Vec<Vec<u8>>> {
        cells
            .iter()
            .zip(&self.widths)
            .map(|(cell, width)| {
                let mut lines = font::wrap_encoded(cell, font, TABLE_SIZE, width - 2.0 * CELL_PAD);
                // Trailing blank lines only make the row taller.
                while lines.len() > 1 && lines.last().is_some_and(Vec::is_empty) {
                    lines.pop();
                }
                lines
            })
            .collect()
    }
}

fn row_height(cells: &[Vec<Vec<u8>>]) -> f32 {
    if cells.is_empty() {
        return 0.0;
    }
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * TABLE_LEADING + 2.0 * CELL_PAD
}

/// Column widths that fill `available`: in proportion to each column's widest line, with every column
/// at least as wide as its longest word (within reason) and never under [`MIN_COLUMN`].
fn column_widths(header: &[Vec<u8>], body: &[Vec<Vec<u8>>], available: f32) -> Vec<f32> {
    let columns = header.len();
    let pad = 2.0 * CELL_PAD;
    let mut natural = vec![0.0_f32; columns];
    let mut minimum = vec![0.0_f32; columns];
    for (i, h) in header.iter().enumerate() {
        natural[i] = font::widest_line(h, Font::Bold, TABLE_SIZE);
        minimum[i] = font::widest_word(h, Font::Bold, TABLE_SIZE);
    }
    for row in body {
        for (i, cell) in row.iter().enumerate().take(columns) {
            natural[i] = natural[i].max(font::widest_line(cell, Font::Regular, TABLE_SIZE));
            minimum[i] = minimum[i].max(font::widest_word(cell, Font::Regular, TABLE_SIZE));
        }
    }
    // A column need not be wider than its longest word, nor take more than a quarter of the page for it.
    let floor = MIN_COLUMN.min(available / columns as f32);
    let minimum: Vec<f32> = minimum
        .iter()
        .map(|m| (m + pad).min(available / 4.0).max(floor))
        .collect();
    let natural: Vec<f32> = natural.iter().zip(&minimum).map(|(n, m)| (n + pad).max(*m)).collect();

    let natural_total: f32 = natural.iter().sum();
    if natural_total <= available {
        let scale = available / natural_total;
        return natural.iter().map(|n| n * scale).collect();
    }
    let minimum_total: f32 = minimum.iter().sum();
    if minimum_total >= available {
        let scale = available / minimum_total;
        return minimum.iter().map(|m| m * scale).collect();
    }
    let extra = available - minimum_total;
    let spare: Vec<f32> = natural.iter().zip(&minimum).map(|(n, m)| n - m).collect();
    let spare_total: f32 = spare.iter().sum();
    minimum
        .iter()
        .zip(&spare)
        .map(|(m, s)| {
            m + if spare_total > 0.0 {
                extra * s / spare_total
            } else {
                extra / columns as f32
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------------

fn write_pdf(doc: &Document, g: &Geometry, pages: Vec<Content>) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    let mut pdf = Pdf::new();
    pdf.set_version(1, 7);
    let hash = doc.content_hash();
    let id: Vec<u8> = hash.as_bytes().iter().take(32).copied().collect();
    pdf.set_file_id((id.clone(), id));

    pdf.catalog(catalog_id)
        .pages(tree_id)
        .lang(TextStr("en-GB"))
        .viewer_preferences()
        .display_doc_title(true);
    pdf.document_info(info_id)
        .title(TextStr(&doc.title))
        .producer(TextStr("Candour"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);

    for (id, font) in [(regular_id, Font::Regular), (bold_id, Font::Bold)] {
        pdf.type1_font(id)
            .base_font(Name(font.base_font().as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"))
            .first_char(32)
            .last_char(255)
            .widths(font.widths().iter().map(|&w| f32::from(w)));
    }

    for (page_id, content) in page_ids.iter().zip(pages) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, g.width, g.height))
            .contents(content_id);
        page.resources()
            .fonts()
            .pair(REGULAR_NAME, regular_id)
            .pair(BOLD_NAME, bold_id);
        page.finish();
        let raw = content.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(raw.as_slice(), 6);
        pdf.stream(content_id, &compressed).filter(Filter::FlateDecode);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_and_respect_the_minimum() {
        let header: Vec<Vec<u8>> = ["ID", "Description", "Risk"].iter().map(|s| encode(s)).collect();
        let body = vec![vec![
            encode("H-1"),
            encode(&"long words describing the hazard ".repeat(20)),
            encode("3"),
        ]];
        let widths = column_widths(&header, &body, 480.0);
        assert!((widths.iter().sum::<f32>() - 480.0).abs() < 0.01);
        assert!(widths.iter().all(|&w| w >= MIN_COLUMN - 0.01), "{widths:?}");
        assert!(widths[1] > widths[0] && widths[1] > widths[2]);

        // Many columns of long words: every column still gets a share.
        let header: Vec<Vec<u8>> = (0..40).map(|i| encode(&format!("Column{i}"))).collect();
        let widths = column_widths(&header, &[], 480.0);
        assert!((widths.iter().sum::<f32>() - 480.0).abs() < 0.05);
        assert!(widths.iter().all(|&w| w > 0.0));
    }

    #[test]
    fn footer_is_shortened_to_fit() {
        let title = encode(&"A very long document title ".repeat(20));
        let line = footer_line(&title, 3, 12, 400.0);
        assert!(Font::Regular.width_encoded(&line, FOOTER_SIZE) <= 400.0);
        assert!(line.ends_with(b" \x97 page 3 of 12"));
        assert!(line.contains(&0x85));
        let line = footer_line(b"Short", 1, 1, 400.0);
        assert_eq!(line, b"Short \x97 page 1 of 1");
    }
}
