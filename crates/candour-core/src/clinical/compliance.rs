//! The compliance checklist (issue 6, item 8): the DCB0129 requirements (and a DCB0160 list mirroring them
//! for the deploying organisation) as data, each answered Yes / No / N/A / Partial / Awaiting with evidence
//! links, as in NHS England's DCB0129 compliance assessment spreadsheet. The requirements live in
//! `data/clinical/compliance.toml`; answers are checked here, merged into rows, and exported as CSV.

use super::project::Standard;
use super::scheme::SchemeError;
use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};

/// The requirements file.
pub const COMPLIANCE_TOML: &str = include_str!("../../../../data/clinical/compliance.toml");

/// An answer to one requirement, as the NHS compliance assessment spreadsheet words them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotApplicable,
    Partial,
    Awaiting,
}

impl Answer {
    pub const ALL: [Answer; 5] = [
        Answer::Yes,
        Answer::No,
        Answer::NotApplicable,
        Answer::Partial,
        Answer::Awaiting,
    ];

    /// The stored code: `yes`, `no`, `not_applicable`, `partial`, `awaiting`.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotApplicable => "not_applicable",
            Answer::Partial => "partial",
            Answer::Awaiting => "awaiting",
        }
    }

    /// As the spreadsheet shows it.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::NotApplicable => "N/A",
            Answer::Partial => "Partial",
            Answer::Awaiting => "Awaiting",
        }
    }

    /// A label or a code, case-insensitively (`N/A`, `not_applicable`, `Not applicable` all work).
    pub fn parse(s: &str) -> Option<Answer> {
        let t = s.trim();
        Answer::ALL.into_iter().find(|a| {
            a.label().eq_ignore_ascii_case(t)
                || a.as_str().eq_ignore_ascii_case(t)
                || a.as_str().replace('_', " ").eq_ignore_ascii_case(t)
        })
    }
}

/// One requirement (a clause or a group of clauses) of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// `2.1.1` or a group `2.3.1-2.3.4`.
    pub clause: String,
    /// The requirement, paraphrased.
    pub text: String,
    /// A caveat on the requirement itself (e.g. that a DCB0160 clause number is unverified); not an answer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The requirements of one standard, in the standard's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Checklist {
    pub standard: Standard,
    pub requirements: Vec<Requirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplianceFile {
    dcb0129: Vec<Requirement>,
    dcb0160: Vec<Requirement>,
}

/// A clause as typed: trimmed, with en and em dashes read as hyphens (`2.3.1–2.3.4` is `2.3.1-2.3.4`).
fn normalise_clause(c: &str) -> String {
    c.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '\u{2013}' | '\u{2014}' | '\u{2212}') {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// The checklist for a standard, from `data/clinical/compliance.toml`.
pub fn checklist(standard: Standard) -> Result<Checklist, SchemeError> {
    let file: ComplianceFile = toml::from_str(COMPLIANCE_TOML).map_err(|e| SchemeError::Parse(e.to_string()))?;
    let (key, requirements) = match standard {
        Standard::Dcb0129 => ("dcb0129", file.dcb0129),
        Standard::Dcb0160 => ("dcb0160", file.dcb0160),
    };
    let mut seen = std::collections::BTreeSet::new();
    for (i, r) in requirements.iter().enumerate() {
        if r.clause.trim().is_empty() || r.text.trim().is_empty() {
            return Err(SchemeError::Invalid {
                field: format!("{key}[{i}]"),
                message: "each requirement needs a clause and a text".into(),
            });
        }
        if normalise_clause(&r.clause) != r.clause {
            return Err(SchemeError::Invalid {
                field: format!("{key}[{i}].clause"),
                message: format!("write '{}' without spaces and with a plain hyphen", r.clause),
            });
        }
        if !seen.insert(r.clause.clone()) {
            return Err(SchemeError::Invalid {
                field: format!("{key}[{i}].clause"),
                message: format!("{} is listed twice", r.clause),
            });
        }
    }
    if requirements.is_empty() {
        return Err(SchemeError::Invalid {
            field: key.into(),
            message: "no requirements".into(),
        });
    }
    Ok(Checklist { standard, requirements })
}

/// An answer to one requirement, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplianceAnswer {
    pub clause: String,
    pub answer: Answer,
    /// Links or references to the evidence (documents, test ids, URLs).
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// A requirement with its answer, if any: one row of the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ComplianceRow {
    pub clause: String,
    pub text: String,
    pub answer: Option<Answer>,
    pub evidence: Vec<String>,
    /// The answer's note ("" when unanswered).
    pub note: String,
}

const MAX_EVIDENCE: usize = 50;
const MAX_EVIDENCE_LEN: usize = 1000;
const MAX_NOTE_LEN: usize = 4000;

impl Checklist {
    pub fn requirement(&self, clause: &str) -> Option<&Requirement> {
        let c = normalise_clause(clause);
        self.requirements.iter().find(|r| r.clause == c)
    }

    /// Every requirement in order with its answer (the last one given for a clause); answers to clauses
    /// not in the checklist are left out.
    pub fn rows(&self, answers: &[ComplianceAnswer]) -> Vec<ComplianceRow> {
        self.requirements
            .iter()
            .map(|r| {
                let a = answers.iter().rev().find(|a| normalise_clause(&a.clause) == r.clause);
                ComplianceRow {
                    clause: r.clause.clone(),
                    text: r.text.clone(),
                    answer: a.map(|a| a.answer),
                    evidence: a.map(|a| a.evidence.clone()).unwrap_or_default(),
                    note: a.map(|a| a.note.clone()).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Check an answer, naming each field at fault: the clause must be in this checklist; Yes and Partial
    /// need at least one evidence link; No needs a note saying why. Clause, evidence and note are
    /// normalised (trimmed, empty evidence dropped).
    pub fn validate(&self, a: ComplianceAnswer) -> Result<ComplianceAnswer, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let clause = normalise_clause(&a.clause);
        if clause.is_empty() {
            e.push("clause", "required", "Enter the clause this answer is for");
        } else if self.requirement(&clause).is_none() {
            e.push(
                "clause",
                "unknown",
                format!(
                    "'{}' is not a requirement of {}",
                    a.clause.trim(),
                    self.standard.as_str()
                ),
            );
        }
        let evidence: Vec<String> = a
            .evidence
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if matches!(a.answer, Answer::Yes | Answer::Partial) && evidence.is_empty() {
            e.push(
                "evidence",
                "required",
                format!(
                    "An answer of {} needs at least one link to its evidence",
                    a.answer.label()
                ),
            );
        }
        if evidence.len() > MAX_EVIDENCE {
            e.push(
                "evidence",
                "too_many",
                format!("Give at most {MAX_EVIDENCE} evidence links"),
            );
        }
        for (i, s) in evidence.iter().enumerate() {
            if s.chars().count() > MAX_EVIDENCE_LEN || s.chars().any(char::is_control) {
                e.push(
                    format!("evidence[{i}]"),
                    "invalid",
                    format!("Give each evidence link on one line, in {MAX_EVIDENCE_LEN} characters or fewer"),
                );
            }
        }
        let note = a.note.trim().to_string();
        if a.answer == Answer::No && note.is_empty() {
            e.push(
                "note",
                "required",
                "Say why the requirement is not met, and what is planned",
            );
        }
        if note.chars().count() > MAX_NOTE_LEN {
            e.push(
                "note",
                "too_long",
                format!("The note must be {MAX_NOTE_LEN} characters or fewer"),
            );
        }
        e.into_result(ComplianceAnswer {
            clause,
            answer: a.answer,
            evidence,
            note,
        })
    }
}

/// One CSV cell: a cell a spreadsheet would read as a formula gets a leading `'`; a cell with a comma,
/// quote or line break is quoted with its quotes doubled (RFC 4180).
fn csv_cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The assessment as CSV (RFC 4180, CRLF between records): Clause, Requirement, Answer, Evidence (one
/// link per line inside the cell), Note.
pub fn to_csv(rows: &[ComplianceRow]) -> String {
    let mut out = String::from("Clause,Requirement,Answer,Evidence,Note\r\n");
    for r in rows {
        let cells = [
            r.clause.clone(),
            r.text.clone(),
            r.answer.map(|a| a.label().to_string()).unwrap_or_default(),
            r.evidence.join("\n"),
            r.note.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
