//! Value sets (harm levels, classifications, LFPSE codes) loaded from versioned data files.
//!
//! Value sets change with LFPSE taxonomy versions, so they are data, not enums. Every record stores the
//! `version` of the taxonomy it was validated against.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The taxonomy shipped with this build (`data/taxonomy/candour-taxonomy-1.json`).
pub const EMBEDDED_JSON: &str = include_str!("../../../data/taxonomy/candour-taxonomy-1.json");

/// One allowed value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The stored code, e.g. `moderate`.
    pub code: String,
    /// A label for people.
    pub label: String,
    /// The LFPSE code, where the value maps to one.
    #[serde(default)]
    pub lfpse: Option<String>,
    /// The STIX vocabulary value, where the value maps to one.
    #[serde(default)]
    pub stix: Option<String>,
    /// Order of severity, where the set is ordered (harm, urgency).
    #[serde(default)]
    pub rank: Option<u8>,
}

/// A versioned collection of named value sets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Taxonomy {
    /// Stored on each record, e.g. `candour-1.0+lfpse-v5`.
    pub version: String,
    value_sets: BTreeMap<String, Vec<Entry>>,
}

/// The value sets every taxonomy file must define.
pub const REQUIRED_SETS: [&str; 10] = [
    "event_type",
    "physical_harm",
    "psychological_harm",
    "patients_harmed_now",
    "urgency",
    "cyber_classification",
    "investigation_stage",
    "csoc_request_type",
    "suspicious_channel",
    "reporter_role",
];

/// Why a taxonomy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// Not JSON of the right shape.
    #[error("taxonomy file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    /// A required set is missing or empty.
    #[error("taxonomy {version} lacks the value set '{set}'")]
    MissingSet {
        /// The file's version.
        version: String,
        /// The missing set.
        set: String,
    },
    /// A code appears twice in one set.
    #[error("taxonomy value set '{set}' repeats the code '{code}'")]
    Duplicate {
        /// The set.
        set: String,
        /// The repeated code.
        code: String,
    },
}

impl Taxonomy {
    /// Parse and check a taxonomy file.
    pub fn from_json(json: &str) -> Result<Self, TaxonomyError> {
        let t: Taxonomy = serde_json::from_str(json)?;
        for set in REQUIRED_SETS {
            if t.value_sets.get(set).is_none_or(|v| v.is_empty()) {
                return Err(TaxonomyError::MissingSet {
                    version: t.version.clone(),
                    set: set.into(),
                });
            }
        }
        for (set, entries) in &t.value_sets {
            let mut seen = std::collections::BTreeSet::new();
            for e in entries {
                if !seen.insert(e.code.as_str()) {
                    return Err(TaxonomyError::Duplicate {
                        set: set.clone(),
                        code: e.code.clone(),
                    });
                }
            }
        }
        Ok(t)
    }

    /// The taxonomy built into this binary.
    pub fn embedded() -> Result<Self, TaxonomyError> {
        Self::from_json(EMBEDDED_JSON)
    }

    /// The entries of a set (empty if the set does not exist).
    pub fn set(&self, name: &str) -> &[Entry] {
        self.value_sets.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The entry for `code` in `set`, if allowed.
    pub fn entry(&self, set: &str, code: &str) -> Option<&Entry> {
        self.set(set).iter().find(|e| e.code == code)
    }

    /// The allowed codes of a set, comma-separated, for error messages.
    pub fn allowed(&self, set: &str) -> String {
        self.set(set)
            .iter()
            .map(|e| e.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rank of a code in an ordered set (0 when unranked or unknown).
    pub fn rank(&self, set: &str, code: &str) -> u8 {
        self.entry(set, code).and_then(|e| e.rank).unwrap_or(0)
    }

    /// The label for a code, or the code itself when unknown.
    pub fn label<'a>(&'a self, set: &str, code: &'a str) -> &'a str {
        self.entry(set, code).map(|e| e.label.as_str()).unwrap_or(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_taxonomy_loads_with_lfpse_harm_codes() {
        let t = Taxonomy::embedded().unwrap();
        assert_eq!(
            t.entry("physical_harm", "fatal").and_then(|e| e.lfpse.as_deref()),
            Some("1")
        );
        assert_eq!(
            t.entry("physical_harm", "none").and_then(|e| e.lfpse.as_deref()),
            Some("5")
        );
        assert_eq!(
            t.entry("psychological_harm", "none").and_then(|e| e.lfpse.as_deref()),
            Some("4")
        );
        assert_eq!(t.set("physical_harm").len(), 5);
        assert_eq!(t.set("psychological_harm").len(), 4);
        assert_eq!(t.set("event_type").len(), 4);
        assert!(t.rank("physical_harm", "severe") > t.rank("physical_harm", "moderate"));
    }

    #[test]
    fn refuses_missing_and_duplicate_sets() {
        let missing = r#"{"version":"x","value_sets":{}}"#;
        assert!(matches!(
            Taxonomy::from_json(missing),
            Err(TaxonomyError::MissingSet { .. })
        ));
        let mut v: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
        v["value_sets"]["urgency"][1]["code"] = "routine".into();
        assert!(matches!(
            Taxonomy::from_json(&v.to_string()),
            Err(TaxonomyError::Duplicate { .. })
        ));
    }
}
