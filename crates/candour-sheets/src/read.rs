//! Import: cells from xlsx or CSV, the header row, then each row parsed and validated.

use crate::cells::{csv_unguard, excel_serial_date, lines, parse_control_line, parse_date, parse_status};
use crate::{col, CellError, Format, Imported, SheetError, COLUMNS, MAX_BYTES, MAX_ROWS};
use candour_core::clinical::{
    AssessmentInput, ControlKind, HazardInput, HazardStatus, HazardTypes, Provenance, RiskScheme,
};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    /// The cell as trimmed text (numbers as written, dates as yyyy-mm-dd), with `\r\n` read as `\n`.
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => {
                let t = s.trim();
                if t.contains('\r') {
                    t.replace("\r\n", "\n").replace('\r', "\n")
                } else {
                    t.to_string()
                }
            }
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A sheet's non-empty rows, each with its 1-based row number.
type Grid = Vec<(usize, Vec<Cell>)>;

/// Uncompressed size an xlsx may unpack to (a guard against zip bombs).
const MAX_UNPACKED: u64 = 400 * 1024 * 1024;

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(String, Grid)>, SheetError> {
    use calamine::{Data, Reader};
    let xerr = |e: String| SheetError::Xlsx(format!("cannot read the workbook: {e}"));
    // The zip's central directory says how large the parts are: refuse a bomb before unpacking it.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| xerr(e.to_string()))?;
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| xerr(e.to_string()))?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(SheetError::TooLarge(format!(
            "the workbook unpacks to {} MB; the limit is {} MB",
            unpacked / (1024 * 1024),
            MAX_UNPACKED / (1024 * 1024)
        )));
    }
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| xerr(e.to_string()))?;
    let mut sheets = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| xerr(e.to_string()))?;
        let Some((r0, c0)) = range.start() else {
            sheets.push((name, Vec::new()));
            continue;
        };
        if range.height() > MAX_ROWS + 10_000 {
            return Err(too_many_rows(range.height()));
        }
        let mut grid = Grid::new();
        for (i, row) in range.rows().enumerate() {
            // Leading blank columns keep the column positions the same in every row.
            let mut cells = vec![Cell::Empty; c0 as usize];
            cells.extend(row.iter().map(|d| match d {
                Data::Empty => Cell::Empty,
                Data::String(s) => Cell::Text(s.clone()),
                Data::Int(n) => Cell::Number(*n as f64),
                Data::Float(f) => Cell::Number(*f),
                Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
                Data::DateTime(dt) => match dt.as_datetime() {
                    Some(d) if !dt.is_duration() => Cell::Date(d.date()),
                    _ => Cell::Number(dt.as_f64()),
                },
                Data::DateTimeIso(s) => match parse_date(s) {
                    Ok(d) => Cell::Date(d),
                    Err(_) => Cell::Text(s.clone()),
                },
                Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Error(e) => Cell::Text(format!("{e}")),
            }));
            if cells.iter().any(|c| !c.is_blank()) {
                grid.push((r0 as usize + i + 1, cells));
            }
        }
        sheets.push((name, grid));
    }
    Ok(sheets)
}

fn read_csv(bytes: &[u8]) -> Result<Grid, SheetError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Grid::new();
    let mut record = csv::StringRecord::new();
    let mut n = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(SheetError::Csv(match e.kind() {
                    csv::ErrorKind::Utf8 { pos, .. } => format!(
                        "row {} is not UTF-8 text: save the sheet as \"CSV UTF-8\"",
                        pos.as_ref().map(|p| p.record() + 1).unwrap_or(n as u64 + 1)
                    ),
                    _ => e.to_string(),
                }));
            }
        }
        n += 1;
        if n > MAX_ROWS + 10_000 {
            return Err(too_many_rows(n));
        }
        let cells: Vec<Cell> = record
            .iter()
            .map(|s| {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(csv_unguard(s).to_string())
                }
            })
            .collect();
        if cells.iter().any(|c| !c.is_blank()) {
            grid.push((n, cells));
        }
    }
    Ok(grid)
}

fn too_many_rows(n: usize) -> SheetError {
    SheetError::TooLarge(format!(
        "the sheet has {n} rows; at most {MAX_ROWS} hazards can be imported at once"
    ))
}

/// A heading, normalised for matching: lower case, single spaces.
fn heading_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Where the header row is in `grid`, if anywhere: the first row with a "Hazard name" cell.
fn header_at(grid: &Grid) -> Option<usize> {
    let key = heading_key(COLUMNS[col::NAME]);
    grid.iter()
        .position(|(_, cells)| cells.iter().any(|c| heading_key(&c.text()) == key))
}

pub fn import(
    bytes: &[u8],
    format: Format,
    scheme: &RiskScheme,
    types: &HazardTypes,
    custom_types: &[String],
) -> Result<Vec<Imported>, SheetError> {
    if bytes.len() > MAX_BYTES {
        return Err(SheetError::TooLarge(format!(
            "the file is {:.1} MB; the limit is {} MB",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_BYTES / (1024 * 1024)
        )));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SheetError::Empty);
    }
    let (grid, header) = match format {
        Format::Csv => {
            let grid = read_csv(bytes)?;
            let header = header_at(&grid);
            (grid, header)
        }
        Format::Xlsx => {
            let sheets = read_xlsx(bytes)?;
            // The "Hazard log" sheet if it has a header row, else the first sheet that has one.
            let mut chosen = None;
            let mut any_cells = false;
            for (name, grid) in sheets {
                any_cells |= !grid.is_empty();
                if let Some(h) = header_at(&grid) {
                    let preferred = heading_key(&name) == "hazard log";
                    if preferred || chosen.is_none() {
                        chosen = Some((grid, h));
                    }
                    if preferred {
                        break;
                    }
                }
            }
            match chosen {
                Some((grid, h)) => (grid, Some(h)),
                None if any_cells => (vec![(1, vec![Cell::Text(String::new())])], None),
                None => (Vec::new(), None),
            }
        }
    };
    if grid.is_empty() {
        return Err(SheetError::Empty);
    }
    let Some(header) = header else {
        return Err(SheetError::MissingColumns(
            col::REQUIRED.iter().map(|&c| COLUMNS[c].to_string()).collect(),
        ));
    };
    let (header_row, header_cells) = &grid[header];

    // Column positions by heading; unknown headings are ignored, a heading twice is an error.
    let mut at: HashMap<usize, usize> = HashMap::new();
    let mut errors = Vec::new();
    let keys: Vec<String> = COLUMNS.iter().map(|c| heading_key(c)).collect();
    for (pos, cell) in header_cells.iter().enumerate() {
        let k = heading_key(&cell.text());
        if let Some(c) = keys.iter().position(|x| *x == k) {
            if at.insert(c, pos).is_some() {
                errors.push(CellError {
                    row: *header_row,
                    column: COLUMNS[c].to_string(),
                    message: "two columns have this heading: keep one".to_string(),
                });
            }
        }
    }
    let missing: Vec<String> = col::REQUIRED
        .iter()
        .filter(|c| !at.contains_key(c))
        .map(|&c| COLUMNS[c].to_string())
        .collect();
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns(missing));
    }
    let data = &grid[header + 1..];
    if data.is_empty() {
        return Err(SheetError::Empty);
    }
    if data.len() > MAX_ROWS {
        return Err(too_many_rows(data.len()));
    }

    let today = chrono::Utc::now().date_naive();
    let mut out = Vec::with_capacity(data.len());
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (row, cells) in data {
        let parsed = RowReader {
            row: *row,
            cells,
            at: &at,
            errors: Vec::new(),
        }
        .read(scheme, types, custom_types, today);
        match parsed {
            Ok(imported) => {
                if let Some(id) = &imported.id {
                    if let Some(first) = ids.insert(id.to_lowercase(), *row) {
                        errors.push(CellError {
                            row: *row,
                            column: COLUMNS[col::NUMBER].to_string(),
                            message: format!("hazard number {id} is also on row {first}"),
                        });
                    }
                }
                out.push(imported);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(SheetError::Invalid(errors))
    }
}

/// Reads one row, collecting its problems.
struct RowReader<'a> {
    row: usize,
    cells: &'a [Cell],
    at: &'a HashMap<usize, usize>,
    errors: Vec<CellError>,
}

impl RowReader<'_> {
    fn cell(&self, c: usize) -> &Cell {
        self.at.get(&c).and_then(|&p| self.cells.get(p)).unwrap_or(&Cell::Empty)
    }

    fn text(&self, c: usize) -> String {
        self.cell(c).text()
    }

    fn error(&mut self, c: usize, message: impl Into<String>) {
        self.errors.push(CellError {
            row: self.row,
            column: COLUMNS[c].to_string(),
            message: message.into(),
        });
    }

    fn date(&mut self, c: usize) -> Option<NaiveDate> {
        match self.cell(c).clone() {
            Cell::Empty => None,
            Cell::Date(d) => Some(d),
            Cell::Number(n) => {
                let d = excel_serial_date(n);
                if d.is_none() {
                    self.error(c, format!("{} is not a date: write it as yyyy-mm-dd", number_text(n)));
                }
                d
            }
            Cell::Text(s) if s.trim().is_empty() => None,
            Cell::Text(s) => match parse_date(&s) {
                Ok(d) => Some(d),
                Err(m) => {
                    self.error(c, m);
                    None
                }
            },
        }
    }

    /// An initial likelihood or severity cell: required.
    fn level(&mut self, c: usize, what: &str) -> String {
        let t = self.text(c);
        if t.is_empty() {
            self.error(c, format!("Enter the {what}"));
        }
        t
    }

    /// Check a typed rating against the derived one; the rating itself is never taken from the sheet.
    fn check_rating(&mut self, c: usize, scheme: &RiskScheme, a: &AssessmentInput) {
        let typed = match self.cell(c) {
            Cell::Empty => return,
            Cell::Number(n) => Some(*n),
            Cell::Text(s) if s.trim().is_empty() => return,
            Cell::Text(s) => s.trim().parse::<f64>().ok(),
            Cell::Date(_) => None,
        };
        let Ok(derived) = scheme.assess("check", &a.likelihood, &a.severity) else {
            return; // the likelihood or severity is reported.
        };
        match typed {
            Some(t) if t == f64::from(derived.rating) => {}
            Some(t) => {
                let (l, s) = scheme.labels(&derived);
                self.error(
                    c,
                    format!(
                        "typed rating {} disagrees with the scheme's rating {} for {l} × {s}",
                        number_text(t),
                        derived.rating
                    ),
                );
            }
            None => {
                let shown = self.text(c);
                self.error(
                    c,
                    format!(
                        "'{shown}' is not a rating: the rating is derived from likelihood and severity, so leave \
                         it blank or as exported"
                    ),
                )
            }
        }
    }

    fn read(
        mut self,
        scheme: &RiskScheme,
        types: &HazardTypes,
        custom_types: &[String],
        today: NaiveDate,
    ) -> Result<Imported, Vec<CellError>> {
        let id = Some(self.text(col::NUMBER)).filter(|s| !s.is_empty());

        let initial = AssessmentInput {
            likelihood: self.level(col::INITIAL_LIKELIHOOD, "initial likelihood"),
            severity: self.level(col::INITIAL_SEVERITY, "initial severity"),
        };
        let (rl, rs) = (self.text(col::RESIDUAL_LIKELIHOOD), self.text(col::RESIDUAL_SEVERITY));
        let residual = match (rl.is_empty(), rs.is_empty()) {
            (true, true) => None,
            (false, false) => Some(AssessmentInput {
                likelihood: rl,
                severity: rs,
            }),
            (true, false) => {
                self.error(
                    col::RESIDUAL_LIKELIHOOD,
                    "Enter the residual likelihood too, or leave both residual cells blank",
                );
                None
            }
            (false, true) => {
                self.error(
                    col::RESIDUAL_SEVERITY,
                    "Enter the residual severity too, or leave both residual cells blank",
                );
                None
            }
        };
        self.check_rating(col::INITIAL_RATING, scheme, &initial);
        let residual_or_initial = residual.clone().unwrap_or_else(|| initial.clone());
        self.check_rating(col::RESIDUAL_RATING, scheme, &residual_or_initial);

        let status_text = self.text(col::STATUS);
        let status = match parse_status(&status_text) {
            Some(s) => Some(s),
            None if status_text.is_empty() => {
                self.error(col::STATUS, "Enter the hazard status: Open, Transferred or Closed");
                None
            }
            None => {
                self.error(
                    col::STATUS,
                    format!("'{status_text}' is not a hazard status: use Open, Transferred or Closed"),
                );
                None
            }
        };

        // Controls, in column order; remember each one's column to report its problems there.
        let mut controls = Vec::new();
        let mut control_cols = Vec::new();
        for (c, kind) in [
            (col::DESIGN, ControlKind::Design),
            (col::TEST, ControlKind::Test),
            (col::TRAINING, ControlKind::Training),
            (col::BUSINESS, ControlKind::BusinessProcess),
        ] {
            for line in lines(&self.text(c)) {
                match parse_control_line(&line, kind) {
                    Ok(control) => {
                        controls.push(control);
                        control_cols.push(c);
                    }
                    Err(m) => self.error(c, m),
                }
            }
        }

        let types_list: Vec<String> = self
            .text(col::TYPES)
            .split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect();

        let raised_on = self.date(col::RAISED);
        let target_date = self.date(col::TARGET);
        let review_due = self.date(col::REVIEW);

        let (supplier, supplier_id, supplier_doc) = (
            self.text(col::SUPPLIER),
            self.text(col::SUPPLIER_ID),
            self.text(col::SUPPLIER_DOCUMENT),
        );
        let provenance = if !supplier.is_empty() {
            if supplier_id.is_empty() {
                self.error(
                    col::SUPPLIER_ID,
                    "Enter the supplier's id for this hazard, so it can be traced back to their log",
                );
            }
            Some(Provenance {
                supplier,
                source_hazard_id: supplier_id,
                source_document: supplier_doc,
                imported_on: today,
            })
        } else {
            if !supplier_id.is_empty() || !supplier_doc.is_empty() {
                self.error(
                    col::SUPPLIER,
                    "Enter the supplier, or clear Supplier hazard id and Supplier document",
                );
            }
            None
        };

        let input = HazardInput {
            name: self.text(col::NAME),
            description: self.text(col::DESCRIPTION),
            causes: lines(&self.text(col::CAUSES)),
            effects: self.text(col::EFFECTS),
            clinical_impact: self.text(col::IMPACT),
            types: types_list,
            existing_controls: lines(&self.text(col::EXISTING)),
            initial,
            controls,
            residual,
            status: status.unwrap_or(HazardStatus::Open),
            alarp_justification: self.text(col::ALARP),
            owner: self.text(col::OWNER),
            raised_on,
            target_date,
            review_due,
            provenance,
        };

        // The model's own rules, each reported in the column that holds the field (once per column: a
        // cell already reported is not reported again).
        if let Err(v) = input.clone().validate(scheme, types, custom_types) {
            for e in v.errors {
                let column = column_of(&e.path, &control_cols);
                if e.path == "status" && status.is_none() {
                    continue;
                }
                // A blank residual is the initial assessment: its problems are the initial cells'.
                if input.residual.is_none() && e.path.starts_with("residual.") {
                    continue;
                }
                let column = column.map(|c| COLUMNS[c].to_string()).unwrap_or(e.path.clone());
                if self.errors.iter().any(|x| x.column == column) && is_cell_path(&e.path) {
                    continue;
                }
                self.errors.push(CellError {
                    row: self.row,
                    column,
                    message: e.message,
                });
            }
        }
        if self.errors.is_empty() {
            Ok(Imported {
                row: self.row,
                id,
                input,
            })
        } else {
            Err(self.errors)
        }
    }
}

/// Paths whose error repeats a problem with the cell's own value (already reported when the cell was read).
fn is_cell_path(path: &str) -> bool {
    matches!(
        path,
        "initial.likelihood" | "initial.severity" | "residual.likelihood" | "residual.severity"
    )
}

/// The column of a validation error's field path.
fn column_of(path: &str, control_cols: &[usize]) -> Option<usize> {
    let head = path.split(['.', '[']).next().unwrap_or(path);
    Some(match path {
        "initial.likelihood" => col::INITIAL_LIKELIHOOD,
        "initial.severity" => col::INITIAL_SEVERITY,
        "initial" => col::INITIAL_RATING,
        "residual.likelihood" => col::RESIDUAL_LIKELIHOOD,
        "residual.severity" => col::RESIDUAL_SEVERITY,
        "residual" => col::RESIDUAL_RATING,
        _ => match head {
            "name" => col::NAME,
            "description" => col::DESCRIPTION,
            "causes" => col::CAUSES,
            "effects" => col::EFFECTS,
            "clinical_impact" => col::IMPACT,
            "types" => col::TYPES,
            "existing_controls" => col::EXISTING,
            "status" => col::STATUS,
            "alarp_justification" => col::ALARP,
            "owner" => col::OWNER,
            "raised_on" => col::RAISED,
            "target_date" => col::TARGET,
            "review_due" => col::REVIEW,
            "provenance" => col::SUPPLIER,
            "controls" => {
                let i: usize = path.strip_prefix("controls[")?.split(']').next()?.parse().ok()?;
                *control_cols.get(i)?
            }
            _ => return None,
        },
    })
}
