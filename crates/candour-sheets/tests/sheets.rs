#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use candour_core::clinical::{
    hazard_id, AssessmentInput, Control, ControlKind, ControlState, Hazard, HazardInput, HazardStatus, HazardTypes,
    Implementer, Provenance, RiskScheme,
};
use candour_sheets::{export_csv, export_xlsx, import, sample_hazards, CellError, Format, Row, SheetError, COLUMNS};
use chrono::NaiveDate;
use std::io::Read;

fn scheme() -> RiskScheme {
    RiskScheme::dcb0129_example().unwrap()
}

fn types() -> HazardTypes {
    HazardTypes::default_types().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn control(description: &str, kind: ControlKind, implementer: Implementer, state: ControlState) -> Control {
    Control {
        description: description.into(),
        kind,
        implementer,
        state,
        evidence: Vec::new(),
        effectiveness_verified: false,
        transferred_from: None,
    }
}

/// Hazards covering every kind of control, implementer and state, provenance, dates and custom types.
fn fixtures() -> Vec<Hazard> {
    let s = scheme();
    let t = types();
    let custom = vec!["LocalWorkflow".to_string()];
    let mut verified = control(
        "Show the NHS number and date of birth on the prescribing screen",
        ControlKind::Design,
        Implementer::Manufacturer,
        ControlState::Verified,
    );
    verified.evidence = vec![
        "TEST-0042".into(),
        "https://example.invalid/ci/run?id=7;attempt=2".into(),
    ];
    verified.effectiveness_verified = true;
    let mut transferred = control(
        "Train ward staff on the downtime procedure",
        ControlKind::Training,
        Implementer::HealthOrganisation,
        ControlState::Planned,
    );
    transferred.transferred_from = Some("H-012".into());
    let inputs = vec![
        HazardInput {
            name: "Wrong patient selected from search results".into(),
            description: "Two patients with similar names appear together; the user picks the wrong one.".into(),
            causes: vec!["Similar names".into(), "Search list sorted by surname only".into()],
            effects: "Notes filed against the wrong record".into(),
            clinical_impact: "Treatment based on another patient's history.\nPossible death.".into(),
            types: vec!["WrongPatient".into(), "LocalWorkflow".into()],
            existing_controls: vec!["NHS number on every screen".into(), "=Clinician review".into()],
            initial: AssessmentInput {
                likelihood: "Medium".into(),
                severity: "Major".into(),
            },
            controls: vec![
                verified,
                control(
                    "Regression test for patient search [PDS]",
                    ControlKind::Test,
                    Implementer::ThirdParty,
                    ControlState::Implemented,
                ),
                transferred,
                control(
                    "-Ward manager checks the daily reconciliation report",
                    ControlKind::BusinessProcess,
                    Implementer::HealthOrganisation,
                    ControlState::Planned,
                ),
            ],
            residual: Some(AssessmentInput {
                likelihood: "L2".into(),
                severity: "S4".into(),
            }),
            status: HazardStatus::Transferred,
            alarp_justification: String::new(),
            owner: "Clinical Safety Officer".into(),
            raised_on: Some(date(2025, 1, 6)),
            target_date: Some(date(2025, 4, 30)),
            review_due: Some(date(2026, 1, 6)),
            provenance: Some(Provenance {
                supplier: "Example EPR Ltd".into(),
                source_hazard_id: "HAZ-17".into(),
                source_document: "Example EPR hazard log v3.1".into(),
                imported_on: chrono::Utc::now().date_naive(),
            }),
        },
        HazardInput {
            name: "Allergy banner hidden on small screens".into(),
            description: "@The allergy banner wraps off screen on tablets.".into(),
            causes: vec![],
            effects: String::new(),
            clinical_impact: "+A drug the patient is allergic to is given".into(),
            types: vec!["Allergy".into()],
            existing_controls: vec![],
            initial: AssessmentInput {
                likelihood: "Low".into(),
                severity: "Considerable".into(),
            },
            controls: vec![],
            residual: None,
            status: HazardStatus::Open,
            alarp_justification: String::new(),
            owner: String::new(),
            raised_on: None,
            target_date: None,
            review_due: None,
            provenance: None,
        },
        HazardInput {
            name: "Results delayed during outage".into(),
            description: "Results do not arrive while the interface engine is down.".into(),
            causes: vec!["Interface engine outage".into()],
            effects: "Results queue".into(),
            clinical_impact: "Delayed treatment".into(),
            types: vec!["RequestNotReceivedActioned".into()],
            existing_controls: vec!["Phone results procedure".into()],
            initial: AssessmentInput {
                likelihood: "High".into(),
                severity: "Significant".into(),
            },
            controls: vec![{
                let mut c = control(
                    "Queue monitoring alert to the service desk",
                    ControlKind::Design,
                    Implementer::Manufacturer,
                    ControlState::Verified,
                );
                c.evidence = vec!["REQ-9".into()];
                c
            }],
            residual: Some(AssessmentInput {
                likelihood: "Very Low".into(),
                severity: "Significant".into(),
            }),
            status: HazardStatus::Closed,
            alarp_justification: "Outages cannot be eliminated; monitoring detects them within minutes.".into(),
            owner: "Lead developer".into(),
            raised_on: Some(date(2024, 11, 1)),
            target_date: None,
            review_due: Some(date(2025, 11, 1)),
            provenance: None,
        },
    ];
    inputs
        .into_iter()
        .map(|i| i.validate(&s, &t, &custom).unwrap())
        .collect()
}

fn rows(hazards: &[Hazard]) -> Vec<Row<'_>> {
    hazards
        .iter()
        .enumerate()
        .map(|(i, h)| Row {
            id: hazard_id(i as i64 + 1),
            hazard: h,
        })
        .collect()
}

fn round_trip(format: Format, hazards: &[Hazard], custom: &[String]) {
    let s = scheme();
    let t = types();
    let rows = rows(hazards);
    let bytes = match format {
        Format::Xlsx => export_xlsx("Test log", &s, &rows).unwrap(),
        Format::Csv => export_csv(&s, &rows).unwrap().into_bytes(),
    };
    let imported = import(&bytes, format, &s, &t, custom).unwrap();
    assert_eq!(imported.len(), hazards.len());
    for (i, (im, h)) in imported.iter().zip(hazards).enumerate() {
        assert_eq!(im.row, i + 2);
        assert_eq!(im.id.as_deref(), Some(hazard_id(i as i64 + 1).as_str()));
        let back = im.input.clone().validate(&s, &t, custom).unwrap();
        assert_eq!(&back, h, "{format:?} row {}", im.row);
    }
}

#[test]
fn xlsx_round_trip() {
    round_trip(Format::Xlsx, &fixtures(), &["LocalWorkflow".to_string()]);
}

#[test]
fn csv_round_trip() {
    round_trip(Format::Csv, &fixtures(), &["LocalWorkflow".to_string()]);
}

#[test]
fn sample_hazards_round_trip_both_formats() {
    let s = scheme();
    let mut hazards = sample_hazards(120, &s);
    assert_eq!(hazards.len(), 120);
    // Provenance dates are set to the day of import.
    let today = chrono::Utc::now().date_naive();
    for h in &mut hazards {
        if let Some(p) = &mut h.provenance {
            p.imported_on = today;
        }
    }
    let statuses: std::collections::HashSet<_> = hazards.iter().map(|h| format!("{:?}", h.status)).collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    round_trip(Format::Xlsx, &hazards, &[]);
    round_trip(Format::Csv, &hazards, &[]);
}

/// A CSV with the given data rows under the full header.
fn csv_with(rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).unwrap();
    for r in rows {
        let rec: Vec<String> = COLUMNS
            .iter()
            .map(|c| {
                r.iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            })
            .collect();
        w.write_record(&rec).unwrap();
    }
    w.into_inner().unwrap()
}

fn good_row() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Hazard name", "Dose rounded"),
        ("Hazard description", "Doses are rounded to one decimal place."),
        ("Initial severity", "Major"),
        ("Initial likelihood", "medium"),
        ("Hazard status", "open"),
    ]
}

fn with(
    mut row: Vec<(&'static str, &'static str)>,
    k: &'static str,
    v: &'static str,
) -> Vec<(&'static str, &'static str)> {
    row.retain(|(x, _)| *x != k);
    row.push((k, v));
    row
}

fn invalid(result: Result<Vec<candour_sheets::Imported>, SheetError>) -> Vec<CellError> {
    match result {
        Err(SheetError::Invalid(e)) => e,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn has(errors: &[CellError], row: usize, column: &str, part: &str) -> bool {
    errors
        .iter()
        .any(|e| e.row == row && e.column == column && e.message.contains(part))
}

#[test]
fn import_reports_every_error_with_row_and_column() {
    let s = scheme();
    let bytes = csv_with(&[
        good_row(),
        with(good_row(), "Initial severity", "Enormous"),
        with(good_row(), "Initial risk rating", "2"),
        with(good_row(), "Hazard status", "Pending"),
        with(good_row(), "Design controls", "Check dose [manufacturer; verified]"),
        with(good_row(), "Raised", "March 2025"),
        with(good_row(), "Hazard types", "NotAType"),
    ]);
    let errors = invalid(import(&bytes, Format::Csv, &s, &types(), &[]));
    assert!(
        has(&errors, 3, "Initial severity", "'Enormous' is not a severity"),
        "{errors:?}"
    );
    assert!(
        has(
            &errors,
            4,
            "Initial risk rating",
            "typed rating 2 disagrees with the scheme's rating 3 for Medium × Major"
        ),
        "{errors:?}"
    );
    assert!(
        has(&errors, 5, "Hazard status", "'Pending' is not a hazard status"),
        "{errors:?}"
    );
    assert!(
        has(&errors, 6, "Design controls", "verified control needs evidence"),
        "{errors:?}"
    );
    assert!(has(&errors, 7, "Raised", "not a date"), "{errors:?}");
    assert!(has(&errors, 8, "Hazard types", "NotAType"), "{errors:?}");
    assert!(!errors.iter().any(|e| e.row == 2), "{errors:?}");
    assert_eq!(errors.len(), 6, "{errors:?}");
    let shown = SheetError::Invalid(errors).to_string();
    assert!(shown.contains("row 3, Initial severity: 'Enormous'"), "{shown}");
}

#[test]
fn a_matching_rating_and_codes_are_accepted() {
    let s = scheme();
    let bytes = csv_with(&[with(
        with(with(good_row(), "Initial risk rating", "3"), "Initial severity", "s4"),
        "Hazard number",
        " 7 ",
    )]);
    let imported = import(&bytes, Format::Csv, &s, &types(), &[]).unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].id.as_deref(), Some("7"));
    assert_eq!(imported[0].row, 2);
    let h = imported[0].input.clone().validate(&s, &types(), &[]).unwrap();
    assert_eq!(h.initial.rating, 3);
}

#[test]
fn missing_required_columns_are_named() {
    let s = scheme();
    let bytes = b"Hazard number,Hazard name,Initial severity,Colour\nH-001,Thing,Major,blue\n";
    match import(bytes, Format::Csv, &s, &types(), &[]) {
        Err(SheetError::MissingColumns(c)) => {
            assert_eq!(c, vec!["Hazard description", "Initial likelihood", "Hazard status"]);
        }
        other => panic!("{other:?}"),
    }
    match import(b"a,b\n1,2\n", Format::Csv, &s, &types(), &[]) {
        Err(SheetError::MissingColumns(c)) => assert_eq!(c.len(), 5),
        other => panic!("{other:?}"),
    }
    assert_eq!(import(b"", Format::Csv, &s, &types(), &[]), Err(SheetError::Empty));
}

#[test]
fn foreign_csv_with_bom_title_rows_blank_rows_and_unknown_columns() {
    let s = scheme();
    let text = "\u{feff}Supplier hazard log,,,,,\r\n,,,,,\r\nHAZARD NAME,Hazard Description,initial severity,Initial Likelihood,Hazard Status,Notes,Design Controls\r\n\
                Wrong dose,\"Dose shown\r\nin mg not mcg\",Catastrophic,Very Low,Open,anything,\"Show units\nRed banner [third party; implemented]\"\r\n,,,,,,\r\n";
    let imported = import(text.as_bytes(), Format::Csv, &s, &types(), &[]).unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].row, 4);
    assert_eq!(imported[0].id, None);
    let i = &imported[0].input;
    assert_eq!(i.description, "Dose shown\nin mg not mcg");
    assert_eq!(i.controls.len(), 2);
    assert_eq!(i.controls[0].state, ControlState::Planned);
    assert_eq!(i.controls[0].implementer, Implementer::Manufacturer);
    assert_eq!(i.controls[1].implementer, Implementer::ThirdParty);
    assert_eq!(i.controls[1].state, ControlState::Implemented);
    assert_eq!(i.controls[1].description, "Red banner");
}

#[test]
fn csv_export_guards_formulas() {
    let s = scheme();
    let hazards = fixtures();
    let text = export_csv(&s, &rows(&hazards)).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(records[0].iter().collect::<Vec<_>>(), COLUMNS);
    for rec in &records {
        for cell in rec.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "unguarded cell {cell:?}");
        }
    }
    let description = &records[2][2];
    assert_eq!(description, "'@The allergy banner wraps off screen on tablets.");
    assert!(records[1][5].starts_with("NHS number"), "{:?}", &records[1][5]);
    assert!(records[1][5].contains("\n=Clinician review"));
    assert_eq!(&records[1][8], "3");
    assert_eq!(&records[1][6], "Major");
    assert_eq!(&records[1][7], "Medium");
}

fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The style index (`s="n"`) of a cell.
fn style_of(sheet: &str, cell: &str) -> String {
    let at = sheet
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let rest = &sheet[at..];
    let end = rest.find('>').unwrap();
    let tag = &rest[..end];
    let s = tag.find(" s=\"").unwrap_or_else(|| panic!("{tag}"));
    tag[s + 4..].split('"').next().unwrap().to_string()
}

#[test]
fn xlsx_has_validation_colours_and_scheme_sheet() {
    let s = scheme();
    // Ratings 1 (Very Low × Minor) and 5 (Very High × Catastrophic).
    let t = types();
    let low = HazardInput {
        name: "Low".into(),
        description: "Low risk".into(),
        causes: vec![],
        effects: String::new(),
        clinical_impact: String::new(),
        types: vec![],
        existing_controls: vec![],
        initial: AssessmentInput {
            likelihood: "Very Low".into(),
            severity: "Minor".into(),
        },
        controls: vec![],
        residual: None,
        status: HazardStatus::Open,
        alarp_justification: String::new(),
        owner: String::new(),
        raised_on: None,
        target_date: None,
        review_due: None,
        provenance: None,
    };
    let mut high = low.clone();
    high.name = "High".into();
    high.initial = AssessmentInput {
        likelihood: "Very High".into(),
        severity: "Catastrophic".into(),
    };
    let hazards = vec![low.validate(&s, &t, &[]).unwrap(), high.validate(&s, &t, &[]).unwrap()];
    let bytes = export_xlsx("Colours & lists", &s, &rows(&hazards)).unwrap();
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<dataValidation"), "no data validation");
    assert!(sheet.contains("&quot;Open,Transferred,Closed&quot;") || sheet.contains("\"Open,Transferred,Closed\""));
    assert!(sheet.contains("Minor,Significant,Considerable,Major,Catastrophic"));
    assert!(sheet.contains("Very Low,Low,Medium,High,Very High"));
    assert!(sheet.contains("<conditionalFormatting"));
    assert!(sheet.contains("<pane ySplit=\"1\""), "header not frozen");
    // I2 is the first hazard's initial rating (1), I3 the second's (5).
    let (s1, s5) = (style_of(&sheet, "I2"), style_of(&sheet, "I3"));
    assert_ne!(s1, s5);
    assert!(sheet.contains("<v>1</v>") && sheet.contains("<v>5</v>"));
    let styles = zip_part(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("FF63BE7B") && styles.contains("FFD9392B"),
        "rating fills missing"
    );
    let workbook = zip_part(&bytes, "xl/workbook.xml");
    assert!(workbook.contains("name=\"Hazard log\"") && workbook.contains("name=\"Risk scheme\""));
    let scheme_sheet = zip_part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(scheme_sheet.contains("<c r="), "scheme sheet is empty");
    let strings = zip_part(&bytes, "xl/sharedStrings.xml");
    assert!(strings.contains("Unacceptable without further mitigation"));
    assert!(strings.contains("Certain or almost certain"));
}

#[test]
fn ten_thousand_hazards_export() {
    let s = scheme();
    let hazards = sample_hazards(10_000, &s);
    assert_eq!(hazards.len(), 10_000);
    let rows = rows(&hazards);
    let start = std::time::Instant::now();
    let bytes = export_xlsx("Big log", &s, &rows).unwrap();
    let took = start.elapsed();
    eprintln!("10,000 hazards: xlsx {} bytes in {took:?}", bytes.len());
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<c r=\"B10001\""));
    let csv = export_csv(&s, &rows).unwrap();
    assert_eq!(csv.matches("\r\nH-").count(), 10_000);
    let imported = import(&bytes, Format::Xlsx, &s, &types(), &[]).unwrap();
    assert_eq!(imported.len(), 10_000);
    assert_eq!(imported[9_999].id.as_deref(), Some("H-10000"));
}

#[test]
fn limits() {
    let s = scheme();
    let big = vec![b' '; candour_sheets::MAX_BYTES + 1];
    assert!(matches!(
        import(&big, Format::Csv, &s, &types(), &[]),
        Err(SheetError::TooLarge(_))
    ));
    let mut text = String::from("Hazard name,Hazard description,Initial severity,Initial likelihood,Hazard status\n");
    for i in 0..50_001 {
        text.push_str(&format!("n{i},d,Minor,Low,Open\n"));
    }
    match import(text.as_bytes(), Format::Csv, &s, &types(), &[]) {
        Err(SheetError::TooLarge(m)) => assert!(m.contains("50000"), "{m}"),
        other => panic!("{:?}", other.map(|v| v.len())),
    }
    assert!(matches!(
        import(b"PK\x03\x04 not a zip", Format::Xlsx, &s, &types(), &[]),
        Err(SheetError::Xlsx(_))
    ));
}

#[test]
fn real_excel_dates_and_numbers_are_read() {
    // A workbook written by another tool: real date cells, a numeric hazard number, codes for levels.
    let s = scheme();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "Hazard number",
        "Hazard name",
        "Hazard description",
        "Initial severity",
        "Initial likelihood",
        "Hazard status",
        "Raised",
        "Target date",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(0, 0, "Supplier log").unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    ws.write_number(3, 0, 12.0).unwrap();
    ws.write_string(3, 1, "Alert missed").unwrap();
    ws.write_string(3, 2, "An alert is not shown").unwrap();
    ws.write_string(3, 3, "S3").unwrap();
    ws.write_string(3, 4, "L2").unwrap();
    ws.write_string(3, 5, "OPEN").unwrap();
    let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 2, 14).unwrap();
    ws.write_datetime_with_format(3, 6, &d, &fmt).unwrap();
    ws.write_string(3, 7, "14/05/2025").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let imported = import(&bytes, Format::Xlsx, &s, &types(), &[]).unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].row, 4);
    assert_eq!(imported[0].id.as_deref(), Some("12"));
    assert_eq!(imported[0].input.raised_on, Some(date(2025, 2, 14)));
    assert_eq!(imported[0].input.target_date, Some(date(2025, 5, 14)));
}

#[test]
fn residual_needs_both_cells_supplier_needed_and_duplicates_reported() {
    let s = scheme();
    let bytes = csv_with(&[
        with(good_row(), "Hazard number", "H-001"),
        with(good_row(), "Hazard number", "h-001"),
        with(good_row(), "Residual severity", "Minor"),
        with(good_row(), "Supplier hazard id", "X-1"),
    ]);
    let errors = invalid(import(&bytes, Format::Csv, &s, &types(), &[]));
    assert!(has(&errors, 3, "Hazard number", "also on row 2"), "{errors:?}");
    assert!(
        has(&errors, 4, "Residual likelihood", "residual likelihood too"),
        "{errors:?}"
    );
    assert!(has(&errors, 5, "Supplier", "Enter the supplier"), "{errors:?}");
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn xlsx_ratings_are_readable_numbers_and_checked() {
    use calamine::{Data, Reader};
    let s = scheme();
    let hazards = fixtures();
    let bytes = export_xlsx("Ratings", &s, &rows(&hazards)).unwrap();
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = wb.worksheet_range("Hazard log").unwrap();
    // Medium × Major = 3 initially, Low × Major = 3 residual.
    assert_eq!(range.get_value((1, 8)), Some(&Data::Float(3.0)));
    assert_eq!(range.get_value((1, 15)), Some(&Data::Float(3.0)));
    let formulas = wb.worksheet_formula("Hazard log").unwrap();
    let f = formulas.get_value((1, 8)).unwrap();
    assert!(f.contains("INDEX('Risk scheme'!") && f.contains("MATCH(H2,"), "{f}");

    // Another tool's sheet with a typed rating that disagrees.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "Hazard name",
        "Hazard description",
        "Initial severity",
        "Initial likelihood",
        "Initial risk rating",
        "Hazard status",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, rating) in [(1u32, 3.0), (2, 4.0)] {
        ws.write_string(r, 0, "Name").unwrap();
        ws.write_string(r, 1, "Description").unwrap();
        ws.write_string(r, 2, "Major").unwrap();
        ws.write_string(r, 3, "Medium").unwrap();
        ws.write_number(r, 4, rating).unwrap();
        ws.write_string(r, 5, "Open").unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let errors = invalid(import(&bytes, Format::Xlsx, &s, &types(), &[]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "row 3, Initial risk rating: typed rating 4 disagrees with the scheme's rating 3 for Medium × Major"
    );
}
