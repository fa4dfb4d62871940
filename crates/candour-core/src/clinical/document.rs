//! Safety documents as data (issue 6, item 7). A Clinical Safety Case Report, a CRMP or an issued hazard
//! log is built from the project's records into a [`Document`]: titled sections of paragraphs, lists,
//! key–value lists and tables. The same value renders to HTML and to PDF, and its canonical JSON is what a
//! CSO approves: [`Document::content_hash`] is stored with the approval, so an issued version can be shown
//! to be exactly what was signed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A document of one kind at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Document {
    pub kind: DocumentKind,
    pub title: String,
    /// Front matter: project, system, version, status, date…
    pub meta: Vec<(String, String)>,
    pub sections: Vec<Section>,
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Clinical Safety Case Report.
    Cscr,
    /// Clinical Risk Management Plan.
    Crmp,
    /// An issued version of the hazard log.
    HazardLog,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Cscr => "cscr",
            DocumentKind::Crmp => "crmp",
            DocumentKind::HazardLog => "hazard_log",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentKind> {
        [DocumentKind::Cscr, DocumentKind::Crmp, DocumentKind::HazardLog]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// As a person says it.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Cscr => "Clinical Safety Case Report",
            DocumentKind::Crmp => "Clinical Risk Management Plan",
            DocumentKind::HazardLog => "Hazard Log",
        }
    }
}

/// A numbered section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Section {
    /// "1", "2"…
    pub number: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "type", content = "content")]
pub enum Block {
    Paragraph(String),
    Bullets(Vec<String>),
    /// Label and value pairs.
    Fields(Vec<(String, String)>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

impl Document {
    /// SHA-256 of the canonical JSON (lowercase hex): what an approval signs.
    pub fn content_hash(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }

    /// Every piece of text in reading order (for tests and search).
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push('\n');
        for (k, v) in &self.meta {
            out.push_str(&format!("{k}: {v}\n"));
        }
        for s in &self.sections {
            out.push_str(&format!("{} {}\n", s.number, s.title));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => {
                        out.push_str(p);
                        out.push('\n');
                    }
                    Block::Bullets(items) => {
                        for i in items {
                            out.push_str(&format!("- {i}\n"));
                        }
                    }
                    Block::Fields(f) => {
                        for (k, v) in f {
                            out.push_str(&format!("{k}: {v}\n"));
                        }
                    }
                    Block::Table { header, rows } => {
                        out.push_str(&header.join(" | "));
                        out.push('\n');
                        for r in rows {
                            out.push_str(&r.join(" | "));
                            out.push('\n');
                        }
                    }
                }
            }
        }
        out
    }
}
