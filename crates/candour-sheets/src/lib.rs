//! Hazard-log spreadsheets: export a project's hazards to xlsx or CSV in the layout of the NHS hazard log
//! template (DCB0129 IG Table 2, then Candour's own columns), and import such a sheet back as
//! [`HazardInput`]s, every row checked against the project's risk scheme before anything is returned.
//!
//! The cell formats are the same in both formats:
//!
//! - severity and likelihood: the scheme's labels ("Major", "Medium"); codes ("S4") are accepted on import;
//! - risk ratings: numbers, always derived from likelihood and severity. On import a rating cell is only
//!   checked: one that disagrees with the scheme's rating is an error, never a value taken;
//! - lists (possible causes, existing controls, hazard types): one item per line;
//! - additional controls: one per line, in the column of their kind, as
//!   `Description [implementer; state; evidence: a | b; effective; from H-012]` (see [`control_line`]);
//! - status: Open, Transferred or Closed;
//! - dates: `yyyy-mm-dd` text (real Excel dates and `dd/mm/yyyy` are accepted on import).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod cells;
mod read;
mod sample;
mod write;

use candour_core::clinical::{Hazard, HazardInput, HazardTypes, RiskScheme};
use serde::Serialize;

pub use cells::{control_line, parse_control_line};
#[doc(hidden)]
pub use sample::sample_hazards;

/// The largest file [`import`] reads.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most hazard rows [`import`] reads.
pub const MAX_ROWS: usize = 50_000;

/// The column headings, in order: the NHS hazard log template (DCB0129 IG Table 2), then Candour's extras.
pub const COLUMNS: &[&str] = &[
    "Hazard number",
    "Hazard name",
    "Hazard description",
    "Potential clinical impact",
    "Possible causes",
    "Existing controls",
    "Initial severity",
    "Initial likelihood",
    "Initial risk rating",
    "Design controls",
    "Test controls",
    "Training controls",
    "Business process change controls",
    "Residual severity",
    "Residual likelihood",
    "Residual risk rating",
    "Actions summary",
    "Owner",
    "Hazard status",
    "Hazard types",
    "Effects",
    "ALARP justification",
    "Raised",
    "Target date",
    "Review due",
    "Supplier",
    "Supplier hazard id",
    "Supplier document",
];

/// Column indexes into [`COLUMNS`].
pub(crate) mod col {
    pub const NUMBER: usize = 0;
    pub const NAME: usize = 1;
    pub const DESCRIPTION: usize = 2;
    pub const IMPACT: usize = 3;
    pub const CAUSES: usize = 4;
    pub const EXISTING: usize = 5;
    pub const INITIAL_SEVERITY: usize = 6;
    pub const INITIAL_LIKELIHOOD: usize = 7;
    pub const INITIAL_RATING: usize = 8;
    pub const DESIGN: usize = 9;
    pub const TEST: usize = 10;
    pub const TRAINING: usize = 11;
    pub const BUSINESS: usize = 12;
    pub const RESIDUAL_SEVERITY: usize = 13;
    pub const RESIDUAL_LIKELIHOOD: usize = 14;
    pub const RESIDUAL_RATING: usize = 15;
    /// Written, never read: the model has no actions field.
    #[allow(dead_code)]
    pub const ACTIONS: usize = 16;
    pub const OWNER: usize = 17;
    pub const STATUS: usize = 18;
    pub const TYPES: usize = 19;
    pub const EFFECTS: usize = 20;
    pub const ALARP: usize = 21;
    pub const RAISED: usize = 22;
    pub const TARGET: usize = 23;
    pub const REVIEW: usize = 24;
    pub const SUPPLIER: usize = 25;
    pub const SUPPLIER_ID: usize = 26;
    pub const SUPPLIER_DOCUMENT: usize = 27;

    /// The columns an imported sheet must have.
    pub const REQUIRED: &[usize] = &[NAME, DESCRIPTION, INITIAL_SEVERITY, INITIAL_LIKELIHOOD, STATUS];
}

/// One hazard to export, with its id in the project (`H-001`, from `candour_core::clinical::hazard_id`).
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub id: String,
    pub hazard: &'a Hazard,
}

/// A spreadsheet format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// The format a file name's extension names (`.xlsx`, `.csv`), case-insensitively.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1;
        if ext.eq_ignore_ascii_case("xlsx") {
            Some(Format::Xlsx)
        } else if ext.eq_ignore_ascii_case("csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// One imported row, checked: `input.validate(scheme, types, custom_types)` succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The spreadsheet row it came from, 1-based as the spreadsheet shows it.
    pub row: usize,
    /// The log's own hazard number cell, trimmed, when not blank (e.g. `H-004`, or a supplier's `4`).
    pub id: Option<String>,
    pub input: HazardInput,
}

/// One problem with one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// 1-based spreadsheet row.
    pub row: usize,
    /// The column's heading, as in [`COLUMNS`] (or a field path when no column holds the field).
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, {}: {}", self.row, self.column, self.message)
    }
}

/// Why a sheet could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("xlsx: {0}")]
    Xlsx(String),
    #[error("CSV: {0}")]
    Csv(String),
    /// Every problem in every row; nothing was imported.
    #[error("{} problem(s) in the hazard log: {}", .0.len(), list(.0))]
    Invalid(Vec<CellError>),
    #[error("the spreadsheet has no hazards")]
    Empty,
    #[error("the hazard log has no column headed {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// Over [`MAX_BYTES`] or [`MAX_ROWS`].
    #[error("too large: {0}")]
    TooLarge(String),
}

fn list(errors: &[CellError]) -> String {
    errors.iter().map(CellError::to_string).collect::<Vec<_>>().join("; ")
}

/// The hazard log as an xlsx workbook: a "Hazard log" sheet and a "Risk scheme" sheet describing `scheme`.
/// `title` names the workbook (document properties and the printed page header).
pub fn export_xlsx(title: &str, scheme: &RiskScheme, rows: &[Row]) -> Result<Vec<u8>, SheetError> {
    write::xlsx(title, scheme, rows)
}

/// The hazard log as CSV (RFC 4180, CRLF line ends, a UTF-8 byte order mark so that Excel reads it as
/// UTF-8). Cells that a spreadsheet would run as a formula get a leading apostrophe.
pub fn export_csv(scheme: &RiskScheme, rows: &[Row]) -> Result<String, SheetError> {
    write::csv(scheme, rows)
}

/// Read a hazard log. Every row is checked (`HazardInput::validate`); any problem in any row gives
/// `SheetError::Invalid` with all of them, so a log is imported whole or not at all.
pub fn import(
    bytes: &[u8],
    format: Format,
    scheme: &RiskScheme,
    types: &HazardTypes,
    custom_types: &[String],
) -> Result<Vec<Imported>, SheetError> {
    read::import(bytes, format, scheme, types, custom_types)
}

#[cfg(test)]
mod tests;
