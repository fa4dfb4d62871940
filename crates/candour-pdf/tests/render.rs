//! The rendered PDFs checked with real tools: `qpdf --check` for structure and `pdftotext`/`pdfinfo`
//! (poppler-utils) for what a reader gets out of them. These tools are required: without them the tests
//! fail, saying what to install.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use candour_core::clinical::{Block, Document, DocumentKind, Section};

const INSTALL: &str = "install qpdf and poppler-utils (Debian: `apt-get install -y qpdf poppler-utils`)";

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`{tool}` was not found: {INSTALL}")
        }
        Err(e) => panic!("could not run `{tool}` ({e}): {INSTALL}"),
    }
}

fn write_temp(bytes: &[u8], name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("candour-pdf-{}-{n}-{name}.pdf", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Fails unless `qpdf --check` finds no error and no warning.
fn qpdf_check(path: &Path) {
    let out = run("qpdf", &["--check", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "qpdf --check failed ({:?}):\n{stdout}\n{stderr}",
        out.status.code()
    );
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "qpdf --check:\n{stdout}\n{stderr}"
    );
    assert!(
        !stdout.to_lowercase().contains("warning") && !stderr.to_lowercase().contains("warning"),
        "{stdout}\n{stderr}"
    );
}

/// The text of each page, by `pdftotext -layout`.
fn pages_text(path: &Path) -> Vec<String> {
    let out = run("pdftotext", &["-layout", "-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn pdfinfo(path: &Path) -> String {
    let out = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "pdfinfo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Whether `needle`'s words appear in `hay`'s words in order (other words may come between: a
/// paragraph's lines interleave with nothing here, but the layout may add the footer between pages).
fn in_order(hay: &[&str], needle: &[&str]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|w| it.any(|h| h == w))
}

const LONG_PARAGRAPH: &str = "This report sets out the clinical safety case for the Candour incident reporting system \
    as deployed across the trust. Each identified hazard has been assessed for severity and likelihood, \
    controls have been put in place and verified, and the residual risk has been judged acceptable by the \
    Clinical Safety Officer. The assessment follows DCB0129 and DCB0160, and the evidence referenced in this \
    report is held in the hazard log, which is issued alongside it as a controlled document. Quokka \
    zeppelin marmalade verification concludes the paragraph.";

fn sample(kind: DocumentKind, rows: usize) -> Document {
    let header: Vec<String> = [
        "Hazard ID",
        "Title",
        "Cause",
        "Effect",
        "Severity",
        "Likelihood",
        "Risk",
        "Controls",
        "Owner",
        "Status",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let table_rows: Vec<Vec<String>> = (0..rows)
        .map(|i| {
            vec![
                format!("ROW-{i:04}"),
                format!("Wrong patient record opened {i}"),
                "Similar names in the search results; the user selects the wrong one under time pressure".to_string(),
                "Treatment decisions made on another patient's data".to_string(),
                "Major".to_string(),
                "Low".to_string(),
                "3".to_string(),
                "NHS number shown on every screen; confirmation step".to_string(),
                "Dr A. Smith".to_string(),
                if i % 2 == 0 { "Open" } else { "Closed" }.to_string(),
            ]
        })
        .collect();
    Document {
        kind,
        title: "Clinical Safety Case Report — Candour £250 café".to_string(),
        meta: vec![
            ("Project".to_string(), "Candour".to_string()),
            ("Version".to_string(), "1.2".to_string()),
            ("Status".to_string(), "Issued".to_string()),
            ("Clinical Safety Officer".to_string(), "Dr Jane O’Neill".to_string()),
        ],
        sections: vec![
            Section {
                number: "1".to_string(),
                title: "Introduction".to_string(),
                blocks: vec![
                    Block::Paragraph(LONG_PARAGRAPH.to_string()),
                    Block::Paragraph("Arrow → here and a tick ✓ there.".to_string()),
                    Block::Bullets(vec![
                        "First bullet point".to_string(),
                        "A second bullet that is long enough to wrap onto a second line so the hanging indent is exercised by the layout engine".to_string(),
                    ]),
                ],
            },
            Section {
                number: "2".to_string(),
                title: "System definition".to_string(),
                blocks: vec![Block::Fields(vec![
                    ("Manufacturer".to_string(), "Example NHS Trust".to_string()),
                    ("Intended use".to_string(), "Reporting and learning from patient safety incidents".to_string()),
                ])],
            },
            Section {
                number: "3".to_string(),
                title: "Hazard register".to_string(),
                blocks: vec![Block::Table { header, rows: table_rows }],
            },
        ],
    }
}

#[test]
fn a_safety_case_report_is_a_valid_pdf_with_its_text() {
    let doc = sample(DocumentKind::Cscr, 120);
    let bytes = candour_pdf::render(&doc);
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let path = write_temp(&bytes, "cscr");
    qpdf_check(&path);

    let pages = pages_text(&path);
    let total = pages.len();
    assert!(total >= 3, "expected the table to run over several pages, got {total}");
    let all = pages.join("\n");

    // Title (with WinAnsi characters round-tripping) and front matter.
    assert!(
        all.contains("Clinical Safety Case Report — Candour £250 café"),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("Clinical Safety Officer"));
    assert!(pages[0].contains("Dr Jane O’Neill"));
    // Section headings.
    for heading in ["1 Introduction", "2 System definition", "3 Hazard register"] {
        assert!(all.contains(heading), "missing heading {heading}");
    }
    // The long paragraph wrapped, every word present and in order.
    let all_words = words(&all);
    assert!(in_order(&all_words, &words(LONG_PARAGRAPH)), "paragraph words missing");
    assert!(
        pages[0]
            .lines()
            .filter(|l| l.contains("Quokka") || l.contains("This report sets"))
            .count()
            >= 2
    );
    // Unencodable characters became '?'.
    assert!(all.contains("Arrow ? here and a tick ? there."));
    // Bullets and fields.
    assert!(all.contains("First bullet point"));
    assert!(all.contains("•"));
    assert!(all.contains("Manufacturer") && all.contains("Example NHS Trust"));
    // A table cell from a later page, with the header repeated on it.
    let late = pages
        .iter()
        .position(|p| p.contains("ROW-0110"))
        .expect("row 110 present");
    assert!(late >= 1, "row 110 should be on page 2 or later");
    for page in &pages[late..] {
        assert!(page.contains("Hazard ID"), "header not repeated:\n{page}");
    }
    for i in 0..120 {
        assert!(all.contains(&format!("ROW-{i:04}")), "row {i} missing");
    }
    // A footer on every page.
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("— page {} of {total}", i + 1);
        assert!(
            page.contains(&footer),
            "page {} has no footer {footer:?}:\n{page}",
            i + 1
        );
    }
    assert!(pages[0].contains(&format!("page 1 of {total}")));

    // Document information and page size (A4 portrait).
    let info = pdfinfo(&path);
    assert!(info.contains("Producer:        Candour"), "{info}");
    assert!(
        info.contains("Title:           Clinical Safety Case Report — Candour £250 café"),
        "{info}"
    );
    assert!(info.contains("595.28 x 841.89"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("PDF version:") && l.trim_end().ends_with(" 1.7")),
        "{info}"
    );
}

#[test]
fn a_hazard_log_is_landscape_and_a_2000_row_table_renders_fast() {
    let doc = sample(DocumentKind::HazardLog, 2000);
    // Warm up once, then time.
    let _ = candour_pdf::render(&doc);
    let start = Instant::now();
    let bytes = candour_pdf::render(&doc);
    let took = start.elapsed();
    eprintln!("rendered 2,000 rows in {took:?} ({} bytes)", bytes.len());
    let limit = if cfg!(debug_assertions) {
        Duration::from_secs(10)
    } else {
        Duration::from_millis(500)
    };
    assert!(took < limit, "rendering 2,000 rows took {took:?}");

    let path = write_temp(&bytes, "hazard-log");
    qpdf_check(&path);
    let info = pdfinfo(&path);
    assert!(info.contains("841.89 x 595.28"), "{info}");
    let pages = pages_text(&path);
    let all = pages.join("\n");
    for i in (0..2000).step_by(97).chain([1999]) {
        assert!(all.contains(&format!("ROW-{i:04}")), "row {i} missing");
    }
    let last = pages.len();
    assert!(pages[last - 1].contains(&format!("page {last} of {last}")));
    assert!(pages[last - 1].contains("ROW-1999") && pages[last - 1].contains("Hazard ID"));
}

#[test]
fn a_row_taller_than_a_page_is_split_and_loses_nothing() {
    let huge: String = (0..2500).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
    let doc = Document {
        kind: DocumentKind::Crmp,
        title: "Clinical Risk Management Plan".to_string(),
        meta: vec![],
        sections: vec![Section {
            number: "1".to_string(),
            title: "Huge".to_string(),
            blocks: vec![Block::Table {
                header: vec!["Key".to_string(), "Value".to_string()],
                rows: vec![
                    vec!["before".to_string(), "short".to_string()],
                    vec!["huge".to_string(), huge.clone()],
                    vec!["after".to_string(), "short".to_string()],
                ],
            }],
        }],
    };
    let path = write_temp(&candour_pdf::render(&doc), "huge-row");
    qpdf_check(&path);
    let pages = pages_text(&path);
    assert!(pages.len() >= 2);
    let all = pages.join("\n");
    assert!(in_order(&words(&all), &words(&huge)), "words of the split row missing");
    assert!(all.contains("before") && all.contains("after"));
    for page in &pages {
        assert!(page.contains("Key"), "header not repeated:\n{page}");
    }
}

#[test]
fn an_empty_document_and_odd_tables_are_still_valid() {
    let doc = Document {
        kind: DocumentKind::Cscr,
        title: String::new(),
        meta: vec![],
        sections: vec![Section {
            number: String::new(),
            title: "Odd".to_string(),
            blocks: vec![
                Block::Table {
                    header: vec![],
                    rows: vec![],
                },
                Block::Table {
                    header: vec!["Only header".to_string()],
                    rows: vec![],
                },
                Block::Table {
                    header: vec![],
                    rows: vec![
                        vec!["ragged".to_string()],
                        vec!["a".to_string(), "b".to_string(), "c (x) \\ y".to_string()],
                    ],
                },
                Block::Paragraph(String::new()),
                Block::Bullets(vec![]),
                Block::Fields(vec![]),
            ],
        }],
    };
    let path = write_temp(&candour_pdf::render(&doc), "odd");
    qpdf_check(&path);
    let all = pages_text(&path).join("\n");
    assert!(all.contains("Odd") && all.contains("Only header") && all.contains("ragged"));
    assert!(all.contains("c (x) \\ y"));
    assert!(all.contains("page 1 of 1"));

    let empty = Document {
        kind: DocumentKind::Crmp,
        title: "Empty".to_string(),
        meta: vec![],
        sections: vec![],
    };
    let path = write_temp(&candour_pdf::render(&empty), "empty");
    qpdf_check(&path);
    assert!(pages_text(&path).join("\n").contains("Empty — page 1 of 1"));
}

#[test]
fn rendering_is_deterministic() {
    let doc = sample(DocumentKind::Crmp, 30);
    assert_eq!(candour_pdf::render(&doc), candour_pdf::render(&doc));
}
