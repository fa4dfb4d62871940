//! A safety document ([`Document`]: Clinical Safety Case Report, Clinical Risk Management Plan, issued
//! hazard log) as a standalone HTML page and as GitHub-flavoured Markdown. (The PDF is `candour-pdf`.)
//!
//! - [`to_html`]: one self-contained, accessible HTML5 page: `lang="en-GB"`, a `<title>`, inline
//!   print-friendly CSS (A4, landscape for a hazard log; table headers repeat on printed pages), no
//!   external assets and no script. Every piece of document text is escaped.
//! - [`to_markdown`]: headings, bullets, fields as `**Key:** value` lines and pipe tables. Text is
//!   backslash-escaped so nothing in it becomes markup (or raw HTML); in table cells a pipe is `\|` and
//!   a newline is `<br>`.

use candour_core::clinical::{Block, Document, DocumentKind};

/// Text escaped for HTML element content and attribute values: `& < > " '`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:#111;font-family:Arial,\"Helvetica Neue\",Helvetica,sans-serif;font-size:11pt;line-height:1.45}
main{max-width:62rem;margin:0 auto;padding:2rem 1.5rem 3rem}
body.landscape main{max-width:none}
h1{font-size:1.8rem;line-height:1.2;margin:0 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid #bbb}
p,li,dd,td,th{white-space:pre-line;overflow-wrap:anywhere}
p{margin:0 0 .75rem}
ul{margin:0 0 .75rem;padding-left:1.5rem}
dl.kv{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1.25rem;margin:0 0 1rem}
dl.kv dt{font-weight:bold}
dl.kv dd{margin:0}
header dl.kv{padding-bottom:1rem;border-bottom:2px solid #333}
.table-wrap{overflow-x:auto;margin:.5rem 0 1rem}
.table-wrap:focus{outline:2px solid #005eb8;outline-offset:2px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #888;padding:.3rem .45rem;text-align:left;vertical-align:top}
thead th{background:#e8e8e8}
@media print{
body{font-size:10pt}
main{max-width:none;padding:0}
.table-wrap{overflow:visible}
thead{display:table-header-group}
tr,li,dt,dd{break-inside:avoid}
h2{break-after:avoid}
}
";

/// The document as a complete, standalone HTML5 page.
pub fn to_html(doc: &Document) -> String {
    let landscape = doc.kind == DocumentKind::HazardLog;
    let mut out = String::with_capacity(4096 + doc.text().len() * 2);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"Candour\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape_html(&doc.title)));
    out.push_str("<style>\n");
    out.push_str(CSS);
    out.push_str(if landscape {
        "@page{size:A4 landscape;margin:15mm}\n"
    } else {
        "@page{size:A4;margin:20mm}\n"
    });
    out.push_str("</style>\n</head>\n");
    out.push_str(if landscape {
        "<body class=\"landscape\">\n"
    } else {
        "<body>\n"
    });
    out.push_str("<main>\n<header>\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape_html(&doc.title)));
    if !doc.meta.is_empty() {
        html_fields(&mut out, &doc.meta);
    }
    out.push_str("</header>\n");

    let mut tables = 0;
    for (i, section) in doc.sections.iter().enumerate() {
        let id = format!("section-{}", i + 1);
        let heading = heading_text(&section.number, &section.title);
        out.push_str(&format!(
            "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{}</h2>\n",
            escape_html(&heading)
        ));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    out.push_str(&format!("<p>{}</p>\n", escape_html(text)));
                }
                Block::Bullets(items) => {
                    if items.is_empty() {
                        continue;
                    }
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", escape_html(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Fields(fields) => {
                    if !fields.is_empty() {
                        html_fields(&mut out, fields);
                    }
                }
                Block::Table { header, rows } => {
                    tables += 1;
                    html_table(&mut out, header, rows, &format!("{heading}: table {tables}"));
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn heading_text(number: &str, title: &str) -> String {
    let number = number.trim();
    if number.is_empty() {
        title.to_string()
    } else {
        format!("{number} {title}")
    }
}

fn html_fields(out: &mut String, fields: &[(String, String)]) {
    out.push_str("<dl class=\"kv\">\n");
    for (key, value) in fields {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape_html(key),
            escape_html(value)
        ));
    }
    out.push_str("</dl>\n");
}

fn html_table(out: &mut String, header: &[String], rows: &[Vec<String>], label: &str) {
    let columns = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
    if columns == 0 {
        return;
    }
    // A scrollable region is focusable and named, so keyboard and screen-reader users can reach it.
    out.push_str(&format!(
        "<div class=\"table-wrap\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">\n<table>\n",
        escape_html(label)
    ));
    if !header.is_empty() {
        out.push_str("<thead>\n<tr>");
        for i in 0..columns {
            let cell = header.get(i).map(String::as_str).unwrap_or("");
            out.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(cell)));
        }
        out.push_str("</tr>\n</thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for i in 0..columns {
            let cell = row.get(i).map(String::as_str).unwrap_or("");
            out.push_str(&format!("<td>{}</td>", escape_html(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Text escaped for Markdown inline content: every character that could start markup (emphasis, code,
/// links, raw HTML, tables, strikethrough, headings, entities) is backslash-escaped, and a newline is
/// `<br>`. Block markers at the start of the text (`-`, `+`, `=`, `1.`) are escaped too, so the result is
/// safe at the start of a line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.trim().chars().filter(|&c| c != '\r').collect();
    let mut line_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if line_start {
            // Block markers only count at the start of a line.
            if matches!(c, '-' | '+' | '=') {
                out.push('\\');
            } else if c.is_ascii_digit() {
                let end = chars[i..]
                    .iter()
                    .position(|d| !d.is_ascii_digit())
                    .map_or(chars.len(), |p| i + p);
                out.extend(&chars[i..end]);
                if let Some(&p @ ('.' | ')')) = chars.get(end) {
                    out.push('\\');
                    out.push(p);
                    i = end + 1;
                } else {
                    i = end;
                }
                line_start = false;
                continue;
            }
        }
        line_start = false;
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '&' if looks_like_entity(&chars[i + 1..]) => out.push_str("\\&"),
            '\n' => {
                out.push_str("<br>");
                // Whitespace after a break is insignificant; the next text starts a line of its own.
                while chars.get(i + 1).is_some_and(|n| *n == ' ' || *n == '\t') {
                    i += 1;
                }
                line_start = true;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether the text after a `&` would make it a character reference (`&amp;`, `&#60;`).
fn looks_like_entity(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// The document as GitHub-flavoured Markdown.
pub fn to_markdown(doc: &Document) -> String {
    let mut out = String::with_capacity(1024 + doc.text().len() * 2);
    out.push_str(&format!("# {}\n\n", escape_markdown(&doc.title)));
    if !doc.meta.is_empty() {
        md_fields(&mut out, &doc.meta);
    }
    for section in &doc.sections {
        out.push_str(&format!(
            "## {}\n\n",
            escape_markdown(&heading_text(&section.number, &section.title))
        ));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    // Blank lines in the text separate paragraphs; other newlines are hard breaks.
                    let paragraphs: Vec<String> = text
                        .replace('\r', "")
                        .split("\n\n")
                        .map(|p| p.trim())
                        .filter(|p| !p.is_empty())
                        .map(|p| escape_markdown(p).replace("<br>", "  \n"))
                        .collect();
                    for p in paragraphs {
                        out.push_str(&p);
                        out.push_str("\n\n");
                    }
                }
                Block::Bullets(items) => {
                    if items.is_empty() {
                        continue;
                    }
                    for item in items {
                        out.push_str(&format!("- {}\n", escape_markdown(item)));
                    }
                    out.push('\n');
                }
                Block::Fields(fields) => {
                    if !fields.is_empty() {
                        md_fields(&mut out, fields);
                    }
                }
                Block::Table { header, rows } => md_table(&mut out, header, rows),
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// `**Key:** value` lines, hard-broken so each shows on a line of its own.
fn md_fields(out: &mut String, fields: &[(String, String)]) {
    let lines: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("**{}:** {}", escape_markdown(k), escape_markdown(v)))
        .collect();
    out.push_str(&lines.join("  \n"));
    out.push_str("\n\n");
}

fn md_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
    if columns == 0 {
        return;
    }
    let row = |cells: &[String]| -> String {
        let mut line = String::from("|");
        for i in 0..columns {
            let cell = cells.get(i).map(|c| escape_markdown(c)).unwrap_or_default();
            line.push(' ');
            line.push_str(&cell);
            line.push_str(" |");
        }
        line.push('\n');
        line
    };
    out.push_str(&row(header));
    out.push('|');
    for _ in 0..columns {
        out.push_str(" --- |");
    }
    out.push('\n');
    for r in rows {
        out.push_str(&row(r));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use candour_core::clinical::Section;

    fn doc() -> Document {
        Document {
            kind: DocumentKind::Cscr,
            title: "Safety Case <Report> & \"Plan\"".to_string(),
            meta: vec![
                ("Project".to_string(), "Candour".to_string()),
                ("Status".to_string(), "Issued — £0 spent".to_string()),
            ],
            sections: vec![
                Section {
                    number: "1".to_string(),
                    title: "Introduction".to_string(),
                    blocks: vec![
                        Block::Paragraph("First line\nsecond line with *stars* and O'Brien".to_string()),
                        Block::Bullets(vec!["one".to_string(), "- two".to_string()]),
                        Block::Fields(vec![("Owner".to_string(), "Dr A_Smith".to_string())]),
                    ],
                },
                Section {
                    number: "2".to_string(),
                    title: "Hazards".to_string(),
                    blocks: vec![Block::Table {
                        header: vec!["ID".to_string(), "Description".to_string()],
                        rows: vec![
                            vec!["H1".to_string(), "<script>alert(1)</script>".to_string()],
                            vec!["H2".to_string(), "a|b\nc".to_string(), "extra".to_string()],
                        ],
                    }],
                },
            ],
        }
    }

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain £ — text"), "plain £ — text");
    }

    #[test]
    fn html_escapes_a_script_in_a_cell_and_everywhere_else() {
        let html = to_html(&doc());
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        assert!(html.contains("<title>Safety Case &lt;Report&gt; &amp; &quot;Plan&quot;</title>"));
        assert!(html.contains("<h1>Safety Case &lt;Report&gt; &amp; &quot;Plan&quot;</h1>"));
        assert!(html.contains("O&#39;Brien"));
        // Nothing outside: no scripts, no external assets.
        for forbidden in [
            "<script", "<link", "src=", "href=", "http://", "https://", "@import", "url(",
        ] {
            assert!(!html.contains(forbidden), "found {forbidden}");
        }
    }

    #[test]
    fn html_has_the_page_structure() {
        let html = to_html(&doc());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<style>") && html.contains("@media print") && html.contains("@page{size:A4;"));
        assert!(html.contains(
            "<dl class=\"kv\">\n<dt>Project</dt><dd>Candour</dd>\n<dt>Status</dt><dd>Issued — £0 spent</dd>"
        ));
        assert!(html.contains("<section aria-labelledby=\"section-1\">\n<h2 id=\"section-1\">1 Introduction</h2>"));
        assert!(html.contains("<h2 id=\"section-2\">2 Hazards</h2>"));
        assert!(html.contains("<p>First line\nsecond line"));
        assert!(html.contains("<ul>\n<li>one</li>\n<li>- two</li>\n</ul>"));
        assert!(html.contains("<dt>Owner</dt><dd>Dr A_Smith</dd>"));
        // Ragged rows are padded to the widest row.
        assert!(html.contains(
            "<thead>\n<tr><th scope=\"col\">ID</th><th scope=\"col\">Description</th><th scope=\"col\"></th></tr>\n</thead>"
        ));
        assert!(html.contains("<tr><td>H1</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td></td></tr>"));
        assert!(html.contains("role=\"region\" aria-label=\"2 Hazards: table 1\" tabindex=\"0\""));
        assert_eq!(html.matches("<section").count(), html.matches("</section>").count());
        assert!(html.trim_end().ends_with("</html>"));

        let mut log = doc();
        log.kind = DocumentKind::HazardLog;
        let html = to_html(&log);
        assert!(html.contains("@page{size:A4 landscape;") && html.contains("<body class=\"landscape\">"));
    }

    #[test]
    fn markdown_structure_and_table_escaping() {
        let md = to_markdown(&doc());
        assert!(
            md.starts_with(
                "# Safety Case \\<Report\\> & \"Plan\"\n\n**Project:** Candour  \n**Status:** Issued — £0 spent\n\n"
            ),
            "{md}"
        );
        assert!(md.contains("\n## 1 Introduction\n\nFirst line  \nsecond line with \\*stars\\* and O'Brien\n\n"));
        assert!(md.contains("\n- one\n- \\- two\n\n"));
        assert!(md.contains("\n**Owner:** Dr A\\_Smith\n\n"));
        assert!(md.contains(
            "\n## 2 Hazards\n\n| ID | Description |  |\n| --- | --- | --- |\n| H1 | \\<script\\>alert(1)\\</script\\> |  |\n| H2 | a\\|b<br>c | extra |\n"
        ), "{md}");
        assert!(md.ends_with("| extra |\n"));
        // No raw HTML other than the <br> line breaks in cells: every other `<` is escaped.
        for (i, _) in md.match_indices('<') {
            assert!(
                md[i..].starts_with("<br>") || md[..i].ends_with('\\'),
                "raw < at {i}: {md}"
            );
        }
    }

    #[test]
    fn markdown_escapes_block_markers_and_entities() {
        assert_eq!(escape_markdown("1. not a list"), "1\\. not a list");
        assert_eq!(escape_markdown("+ x\n- y\n# z"), "\\+ x<br>\\- y<br>\\# z");
        assert_eq!(
            escape_markdown("R&D &amp; &#60; & done"),
            "R&D \\&amp; \\&\\#60; & done"
        );
        assert_eq!(
            escape_markdown("a ~~b~~ `c` [d](e)"),
            "a \\~\\~b\\~\\~ \\`c\\` \\[d\\](e)"
        );
        assert_eq!(escape_markdown("2024 review"), "2024 review");
        assert_eq!(escape_markdown(""), "");
    }
}
