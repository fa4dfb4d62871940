//! Export: the cells of each row, then xlsx or CSV.

use crate::cells::{control_line, csv_guard, date_text, status_word, STATUSES};
use crate::{col, Row, SheetError, COLUMNS};
use candour_core::clinical::{ControlKind, ControlState, RiskScheme};
use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, DataValidationErrorStyle, DocProperties,
    Format as XFormat, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError,
};

/// A cell to write.
enum Value {
    Text(String),
    Rating(u8),
}

fn xerr(e: XlsxError) -> SheetError {
    SheetError::Xlsx(e.to_string())
}

fn joined(items: &[String]) -> String {
    items.join("\n")
}

/// The cells of one row, in [`COLUMNS`] order.
fn row_values(scheme: &RiskScheme, row: &Row) -> Vec<Value> {
    let h = row.hazard;
    let (il, is) = scheme.labels(&h.initial);
    let (rl, rs) = scheme.labels(&h.residual);
    let controls = |kind: ControlKind| {
        h.controls
            .iter()
            .filter(|c| c.kind == kind)
            .map(control_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let actions = h
        .controls
        .iter()
        .filter(|c| c.state == ControlState::Planned)
        .map(|c| c.description.trim())
        .collect::<Vec<_>>()
        .join("; ");
    let p = h.provenance.as_ref();
    let t = Value::Text;
    let values = vec![
        t(row.id.clone()),
        t(h.name.clone()),
        t(h.description.clone()),
        t(h.clinical_impact.clone()),
        t(joined(&h.causes)),
        t(joined(&h.existing_controls)),
        t(is),
        t(il),
        Value::Rating(h.initial.rating),
        t(controls(ControlKind::Design)),
        t(controls(ControlKind::Test)),
        t(controls(ControlKind::Training)),
        t(controls(ControlKind::BusinessProcess)),
        t(rs),
        t(rl),
        Value::Rating(h.residual.rating),
        t(actions),
        t(h.owner.clone()),
        t(status_word(h.status).to_string()),
        t(joined(&h.types)),
        t(h.effects.clone()),
        t(h.alarp_justification.clone()),
        t(date_text(h.raised_on)),
        t(date_text(h.target_date)),
        t(date_text(h.review_due)),
        t(p.map(|p| p.supplier.clone()).unwrap_or_default()),
        t(p.map(|p| p.source_hazard_id.clone()).unwrap_or_default()),
        t(p.map(|p| p.source_document.clone()).unwrap_or_default()),
    ];
    debug_assert_eq!(values.len(), COLUMNS.len());
    values
}

pub fn csv(scheme: &RiskScheme, rows: &[Row]) -> Result<String, SheetError> {
    let cerr = |e: csv::Error| SheetError::Csv(e.to_string());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(512 * (rows.len() + 1)));
    w.write_record(COLUMNS).map_err(cerr)?;
    let mut record: Vec<String> = Vec::with_capacity(COLUMNS.len());
    for row in rows {
        record.clear();
        for v in row_values(scheme, row) {
            record.push(match v {
                Value::Text(s) => csv_guard(&s).into_owned(),
                Value::Rating(r) => r.to_string(),
            });
        }
        w.write_record(&record).map_err(cerr)?;
    }
    let bytes = w.into_inner().map_err(|e| SheetError::Csv(e.to_string()))?;
    let body = String::from_utf8(bytes).map_err(|e| SheetError::Csv(e.to_string()))?;
    Ok(format!("\u{feff}{body}"))
}

/// Fills by rating, lowest to highest: green, yellow-green, amber, orange, red.
const PALETTE: [(u32, u32); 5] = [
    (0x63BE7B, 0x000000),
    (0xC6E377, 0x000000),
    (0xFFC000, 0x000000),
    (0xF79646, 0x000000),
    (0xD9392B, 0xFFFFFF),
];

/// (background, font) for a rating: the scheme's ratings spread over [`PALETTE`] (1 to 5 map one to one).
fn rating_colours(scheme: &RiskScheme, rating: u8) -> (u32, u32) {
    let mut ratings: Vec<u8> = scheme.acceptability.iter().map(|a| a.rating).collect();
    ratings.sort_unstable();
    let n = ratings.len();
    let i = ratings.iter().position(|&r| r == rating).unwrap_or(n.saturating_sub(1));
    let slot = if n <= 1 {
        PALETTE.len() - 1
    } else {
        (i * (PALETTE.len() - 1) + (n - 1) / 2) / (n - 1)
    };
    PALETTE[slot.min(PALETTE.len() - 1)]
}

/// A1 column letters for a 0-based column.
fn col_name(c: u16) -> String {
    rust_xlsxwriter::utility::column_number_to_name(c)
}

const WIDTHS: [f64; 28] = [
    10.0, 28.0, 40.0, 32.0, 36.0, 36.0, 13.0, 13.0, 9.0, 44.0, 44.0, 44.0, 44.0, 13.0, 13.0, 9.0, 36.0, 18.0, 13.0,
    26.0, 32.0, 32.0, 12.0, 12.0, 12.0, 20.0, 14.0, 24.0,
];

const SCHEME_SHEET: &str = "Risk scheme";

/// Where the risk matrix sits on the scheme sheet (0-based): its header row, and first and last
/// likelihood rows. Severity labels run from column 1 (B).
struct MatrixAt {
    header_row: u32,
    first_row: u32,
    last_row: u32,
}

pub fn xlsx(title: &str, scheme: &RiskScheme, rows: &[Row]) -> Result<Vec<u8>, SheetError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_subject("Hazard log")
            .set_comment(format!("Risk scheme {} version {}", scheme.id, scheme.version)),
    );

    let header = XFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(0xD9E1F2)
        .set_border(FormatBorder::Thin);
    let body = XFormat::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut ratings: Vec<u8> = scheme.acceptability.iter().map(|a| a.rating).collect();
    ratings.sort_unstable();
    let rating_format = |r: u8| {
        let (bg, fg) = rating_colours(scheme, r);
        XFormat::new()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::Top)
            .set_background_color(bg)
            .set_font_color(fg)
    };
    let rating_formats: Vec<(u8, XFormat)> = ratings.iter().map(|&r| (r, rating_format(r))).collect();
    let rating_plain = XFormat::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::Top);

    // The scheme sheet first in memory (its layout places the matrix the ratings look up), but second in
    // the workbook.
    let mut scheme_ws = Worksheet::new();
    let matrix = scheme_sheet(&mut scheme_ws, title, scheme, &header, &body, &rating_formats).map_err(xerr)?;

    let mut ws = Worksheet::new();
    ws.set_name("Hazard log").map_err(xerr)?;
    for (c, heading) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *heading, &header).map_err(xerr)?;
        ws.set_column_width(c, WIDTHS[c as usize]).map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    ws.set_repeat_rows(0, 0).map_err(xerr)?;
    ws.set_landscape();
    let print_title: String = title.replace('&', "&&").chars().take(200).collect();
    ws.set_header(format!("&C{print_title}"));

    // The ratings are formulas looking the matrix up on the scheme sheet, with the derived rating as the
    // cached value: a reader sees the number, and Excel re-derives it when likelihood or severity change.
    let ns = scheme.severity.len() as u16;
    let sev_header = format!(
        "'{SCHEME_SHEET}'!$B${r}:${last}${r}",
        r = matrix.header_row + 1,
        last = col_name(ns)
    );
    let lik_labels = format!(
        "'{SCHEME_SHEET}'!$A${}:$A${}",
        matrix.first_row + 1,
        matrix.last_row + 1
    );
    let grid = format!(
        "'{SCHEME_SHEET}'!$B${}:${}${}",
        matrix.first_row + 1,
        col_name(ns),
        matrix.last_row + 1
    );
    let sev_col = |c: usize| col_name(c as u16);
    let rating_formula = |row: u32, sev: usize, lik: usize| {
        format!(
            "=IFERROR(INDEX({grid},MATCH({l}{r},{lik_labels},0),MATCH({s}{r},{sev_header},0)),\"\")",
            l = sev_col(lik),
            s = sev_col(sev),
            r = row + 1
        )
    };

    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, v) in row_values(scheme, row).into_iter().enumerate() {
            match v {
                Value::Text(s) => {
                    if !s.is_empty() {
                        ws.write_string_with_format(r, c as u16, s, &body).map_err(xerr)?;
                    }
                }
                Value::Rating(rating) => {
                    let (sev, lik) = if c == col::INITIAL_RATING {
                        (col::INITIAL_SEVERITY, col::INITIAL_LIKELIHOOD)
                    } else {
                        (col::RESIDUAL_SEVERITY, col::RESIDUAL_LIKELIHOOD)
                    };
                    let format = rating_formats
                        .iter()
                        .find(|(x, _)| *x == rating)
                        .map(|(_, f)| f)
                        .unwrap_or(&rating_plain);
                    let formula = Formula::new(rating_formula(r, sev, lik)).set_result(rating.to_string());
                    ws.write_formula_with_format(r, c as u16, formula, format)
                        .map_err(xerr)?;
                }
            }
        }
    }

    let n = rows.len() as u32;
    let last_row = (n + 500).max(1000);
    if n > 0 {
        ws.autofilter(0, 0, n, COLUMNS.len() as u16 - 1).map_err(xerr)?;
    }

    // Lists to choose from.
    let status_list = DataValidation::new()
        .allow_list_strings(&STATUSES)
        .and_then(|v| v.set_error_title("Hazard status"))
        .and_then(|v| v.set_error_message("Choose Open, Transferred or Closed."))
        .map_err(xerr)?
        .set_error_style(DataValidationErrorStyle::Stop);
    ws.add_data_validation(1, col::STATUS as u16, last_row, col::STATUS as u16, &status_list)
        .map_err(xerr)?;
    let sev_labels: Vec<&str> = scheme.severity.iter().map(|s| s.label.as_str()).collect();
    let lik_labels_v: Vec<&str> = scheme.likelihood.iter().map(|l| l.label.as_str()).collect();
    let severity_list = label_list(&sev_labels, &sev_header, "severity")?;
    let likelihood_list = label_list(&lik_labels_v, &lik_labels, "likelihood")?;
    for (c, v) in [
        (col::INITIAL_SEVERITY, &severity_list),
        (col::RESIDUAL_SEVERITY, &severity_list),
        (col::INITIAL_LIKELIHOOD, &likelihood_list),
        (col::RESIDUAL_LIKELIHOOD, &likelihood_list),
    ] {
        ws.add_data_validation(1, c as u16, last_row, c as u16, v)
            .map_err(xerr)?;
    }

    // Recolour a rating when it changes.
    for c in [col::INITIAL_RATING, col::RESIDUAL_RATING] {
        for &r in &ratings {
            let (bg, fg) = rating_colours(scheme, r);
            let cf = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::EqualTo(f64::from(r)))
                .set_format(XFormat::new().set_background_color(bg).set_font_color(fg));
            ws.add_conditional_format(1, c as u16, last_row, c as u16, &cf)
                .map_err(xerr)?;
        }
    }

    wb.push_worksheet(ws);
    wb.push_worksheet(scheme_ws);
    wb.save_to_buffer().map_err(xerr)
}

/// A list validation of a scheme's labels: the labels themselves when Excel can hold them inline (no comma,
/// 255 characters in all), otherwise the range of the scheme sheet that lists them.
fn label_list(labels: &[&str], range: &str, what: &str) -> Result<DataValidation, SheetError> {
    let inline = !labels.iter().any(|l| l.contains(','))
        && labels.iter().map(|l| l.encode_utf16().count() + 1).sum::<usize>() <= 255;
    let v = if inline {
        DataValidation::new().allow_list_strings(labels).map_err(xerr)?
    } else {
        DataValidation::new().allow_list_formula(Formula::new(range))
    };
    v.set_error_title(format!("Choose a {what}"))
        .and_then(|v| {
            v.set_error_message(format!(
                "Choose a {what} of the risk scheme: see the Risk scheme sheet."
            ))
        })
        .map_err(xerr)
}

/// The "Risk scheme" sheet: likelihood and severity definitions, the matrix (highest likelihood first, as
/// in the IG's Table 9) and what each rating means.
fn scheme_sheet(
    ws: &mut Worksheet,
    title: &str,
    scheme: &RiskScheme,
    header: &XFormat,
    body: &XFormat,
    rating_formats: &[(u8, XFormat)],
) -> Result<MatrixAt, XlsxError> {
    ws.set_name(SCHEME_SHEET)?;
    let bold = XFormat::new().set_bold();
    let heading = XFormat::new().set_bold().set_font_size(13);
    ws.set_column_width(0, 22)?;
    for c in 1..=scheme.severity.len().max(4) as u16 {
        ws.set_column_width(c, if c <= 1 { 18 } else { 40 })?;
    }
    let mut r: u32 = 0;
    ws.write_string_with_format(r, 0, title, &heading)?;
    r += 1;
    ws.write_string(
        r,
        0,
        format!(
            "Risk scheme: {} (id {}, version {}, profile {}). Ratings are looked up in the matrix, never \
             multiplied.",
            scheme.name, scheme.id, scheme.version, scheme.profile
        ),
    )?;
    r += 2;

    ws.write_string_with_format(r, 0, "Likelihood", &heading)?;
    r += 1;
    for (c, h) in ["Code", "Label", "Definition", "Probability"].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, header)?;
    }
    r += 1;
    for l in scheme.likelihood.iter().rev() {
        ws.write_string_with_format(r, 0, &l.code, body)?;
        ws.write_string_with_format(r, 1, &l.label, body)?;
        ws.write_string_with_format(r, 2, &l.definition, body)?;
        ws.write_string_with_format(r, 3, l.probability.as_deref().unwrap_or(""), body)?;
        r += 1;
    }
    r += 1;

    ws.write_string_with_format(r, 0, "Severity", &heading)?;
    r += 1;
    for (c, h) in ["Code", "Label", "One patient", "Several patients"].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, header)?;
    }
    r += 1;
    for s in scheme.severity.iter().rev() {
        ws.write_string_with_format(r, 0, &s.code, body)?;
        ws.write_string_with_format(r, 1, &s.label, body)?;
        ws.write_string_with_format(r, 2, &s.single, body)?;
        ws.write_string_with_format(r, 3, &s.multiple, body)?;
        r += 1;
    }
    r += 1;

    ws.write_string_with_format(r, 0, "Risk matrix", &heading)?;
    r += 1;
    let header_row = r;
    ws.write_string_with_format(r, 0, "Likelihood \\ Severity", header)?;
    for (c, s) in scheme.severity.iter().enumerate() {
        ws.write_string_with_format(r, c as u16 + 1, &s.label, header)?;
    }
    r += 1;
    let first_row = r;
    for (l, lik) in scheme.likelihood.iter().enumerate().rev() {
        ws.write_string_with_format(r, 0, &lik.label, &bold)?;
        for (s, rating) in scheme.matrix.get(l).into_iter().flatten().enumerate() {
            match rating_formats.iter().find(|(x, _)| x == rating) {
                Some((_, f)) => ws.write_number_with_format(r, s as u16 + 1, f64::from(*rating), f)?,
                None => ws.write_number(r, s as u16 + 1, f64::from(*rating))?,
            };
        }
        r += 1;
    }
    let last_row = r - 1;
    r += 1;

    ws.write_string_with_format(r, 0, "Acceptability", &heading)?;
    r += 1;
    for (c, h) in [
        "Rating",
        "Label",
        "Definition",
        "Requires action",
        "Acceptable if ALARP",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, header)?;
    }
    r += 1;
    let mut acceptability = scheme.acceptability.clone();
    acceptability.sort_by_key(|a| a.rating);
    for a in &acceptability {
        match rating_formats.iter().find(|(x, _)| *x == a.rating) {
            Some((_, f)) => ws.write_number_with_format(r, 0, f64::from(a.rating), f)?,
            None => ws.write_number(r, 0, f64::from(a.rating))?,
        };
        ws.write_string_with_format(r, 1, &a.label, body)?;
        ws.write_string_with_format(r, 2, &a.definition, body)?;
        ws.write_string_with_format(r, 3, if a.requires_action { "Yes" } else { "No" }, body)?;
        ws.write_string_with_format(r, 4, if a.acceptable_if_alarp { "Yes" } else { "No" }, body)?;
        r += 1;
    }
    Ok(MatrixAt {
        header_row,
        first_row,
        last_row,
    })
}
