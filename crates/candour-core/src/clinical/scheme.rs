//! Risk schemes as data (issue 6, item 2): likelihood and severity levels, the lookup matrix and the
//! acceptability bands, named and versioned. The rating of an assessment is always looked up here, never
//! typed and never computed as likelihood × severity. The default is the DCB0129 IG v3.2 example
//! (`data/clinical/dcb0129-ig-v3.2-example.toml`).

use serde::{Deserialize, Serialize};

/// One likelihood level, lowest first in a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Likelihood {
    pub code: String,
    pub label: String,
    pub definition: String,
    /// Optional probability wording (some local schemes use percentages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<String>,
}

/// One severity level, lowest first: what it means for a single patient and for several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    pub code: String,
    pub label: String,
    /// The consequence at this level when one patient is affected ("" when none).
    #[serde(default)]
    pub single: String,
    /// The consequence at this level when several patients are affected ("" when none).
    #[serde(default)]
    pub multiple: String,
}

/// What a rating means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptability {
    pub rating: u8,
    pub label: String,
    pub definition: String,
    /// Must something be done (eliminate or control)?
    pub requires_action: bool,
    /// May the risk be accepted once reduced as low as reasonably practicable?
    pub acceptable_if_alarp: bool,
}

/// A risk scheme as declared in a Clinical Risk Management Plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskScheme {
    pub id: String,
    pub version: u32,
    pub name: String,
    /// `nhs-dcb` (checked against the NHS example's shape: warnings for multiplicative or relabelled
    /// schemes) or `local`.
    pub profile: String,
    pub likelihood: Vec<Likelihood>,
    pub severity: Vec<Severity>,
    /// `matrix[l][s]`: the rating for likelihood index `l` and severity index `s` (lowest first).
    pub matrix: Vec<Vec<u8>>,
    pub acceptability: Vec<Acceptability>,
}

/// Why a scheme cannot be used; each names the part at fault.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SchemeError {
    #[error("scheme: {0}")]
    Parse(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> SchemeError {
    SchemeError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The DCB0129 IG v3.2 example scheme's file.
pub const DEFAULT_SCHEME_TOML: &str = include_str!("../../../../data/clinical/dcb0129-ig-v3.2-example.toml");

/// A scheme's id and version, as every assessment records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SchemeRef {
    pub id: String,
    pub version: u32,
}

impl RiskScheme {
    /// The DCB0129 IG v3.2 example, Candour's default.
    pub fn dcb0129_example() -> Result<RiskScheme, SchemeError> {
        RiskScheme::from_toml(DEFAULT_SCHEME_TOML)
    }

    /// Parse and check a scheme.
    pub fn from_toml(text: &str) -> Result<RiskScheme, SchemeError> {
        let s: RiskScheme = toml::from_str(text).map_err(|e| SchemeError::Parse(e.to_string()))?;
        s.check()?;
        Ok(s)
    }

    pub fn reference(&self) -> SchemeRef {
        SchemeRef {
            id: self.id.clone(),
            version: self.version,
        }
    }

    /// Structural checks: sizes, unique codes, ratings with a meaning, and a matrix that never rates a
    /// likelier or more severe harm lower.
    pub fn check(&self) -> Result<(), SchemeError> {
        if self.id.trim().is_empty() {
            return Err(invalid("id", "a scheme needs an id"));
        }
        if self.version == 0 {
            return Err(invalid("version", "versions start at 1"));
        }
        if !matches!(self.profile.as_str(), "nhs-dcb" | "local") {
            return Err(invalid("profile", "must be nhs-dcb or local"));
        }
        let (nl, ns) = (self.likelihood.len(), self.severity.len());
        if !(2..=10).contains(&nl) {
            return Err(invalid(
                "likelihood",
                "a scheme needs between 2 and 10 likelihood levels",
            ));
        }
        if !(2..=10).contains(&ns) {
            return Err(invalid("severity", "a scheme needs between 2 and 10 severity levels"));
        }
        // Levels are looked up by code or label, case-insensitively: each name must be unique that way,
        // within likelihood and within severity.
        let parts = [
            (
                "likelihood",
                self.likelihood.iter().map(|l| (&l.code, &l.label)).collect::<Vec<_>>(),
            ),
            ("severity", self.severity.iter().map(|s| (&s.code, &s.label)).collect()),
        ];
        for (part, names) in parts {
            let mut seen = std::collections::HashSet::new();
            for (i, (code, label)) in names.iter().enumerate() {
                if code.trim().is_empty() || label.trim().is_empty() {
                    return Err(invalid(format!("{part}[{i}]"), "needs a code and a label"));
                }
                if !seen.insert(code.to_lowercase()) {
                    return Err(invalid(format!("{part}[{i}].code"), format!("{code} is used twice")));
                }
                if label.to_lowercase() != code.to_lowercase() && !seen.insert(label.to_lowercase()) {
                    return Err(invalid(format!("{part}[{i}].label"), format!("{label} is used twice")));
                }
            }
        }
        if self.matrix.len() != nl {
            return Err(invalid(
                "matrix",
                format!("has {} rows; there are {nl} likelihood levels", self.matrix.len()),
            ));
        }
        for (l, row) in self.matrix.iter().enumerate() {
            if row.len() != ns {
                return Err(invalid(
                    format!("matrix[{l}]"),
                    format!("has {} cells; there are {ns} severity levels", row.len()),
                ));
            }
            for (s, &r) in row.iter().enumerate() {
                if !self.acceptability.iter().any(|a| a.rating == r) {
                    return Err(invalid(
                        format!("matrix[{l}][{s}]"),
                        format!("rating {r} has no acceptability entry"),
                    ));
                }
                if l > 0 && self.matrix[l - 1][s] > r {
                    return Err(invalid(
                        format!("matrix[{l}][{s}]"),
                        format!(
                            "{} likelihood is rated lower than {} at {} severity",
                            self.likelihood[l].label,
                            self.likelihood[l - 1].label,
                            self.severity[s].label
                        ),
                    ));
                }
                if s > 0 && row[s - 1] > r {
                    return Err(invalid(
                        format!("matrix[{l}][{s}]"),
                        format!(
                            "{} severity is rated lower than {} at {} likelihood",
                            self.severity[s].label,
                            self.severity[s - 1].label,
                            self.likelihood[l].label
                        ),
                    ));
                }
            }
        }
        let mut ratings: Vec<u8> = self.acceptability.iter().map(|a| a.rating).collect();
        ratings.sort_unstable();
        let n = ratings.len();
        ratings.dedup();
        if ratings.len() != n {
            return Err(invalid("acceptability", "a rating is described twice"));
        }
        Ok(())
    }

    /// Warnings for a scheme under the NHS DCB profile: shapes the NHS example does not have and that
    /// assessors query (domain notes §5.5). Empty for the example itself and for `local` schemes.
    pub fn warnings(&self) -> Vec<String> {
        if self.profile != "nhs-dcb" {
            return Vec::new();
        }
        let mut w = Vec::new();
        // Multiplicative: the rating only ever rises with likelihood × severity (a banded L×S score). The
        // NHS example is a lookup that is not monotone in the product (L1×S5 = 5 rates 3, L2×S3 = 6 rates 2).
        let mut cells: Vec<(usize, u8)> = Vec::new();
        for (l, row) in self.matrix.iter().enumerate() {
            for (s, &r) in row.iter().enumerate() {
                cells.push(((l + 1) * (s + 1), r));
            }
        }
        cells.sort_unstable();
        if cells.windows(2).all(|p| p[0].1 <= p[1].1) {
            w.push(
                "the matrix is a banded likelihood × severity score; the NHS example is a lookup table (DCB0129 IG \
                 Table 9), so declare this as a local scheme or use the example"
                    .to_string(),
            );
        }
        if let Ok(example) = RiskScheme::dcb0129_example() {
            if self.likelihood.len() != 5 || self.severity.len() != 5 {
                w.push(format!(
                    "the scheme is {}×{}; the NHS example is 5×5",
                    self.likelihood.len(),
                    self.severity.len()
                ));
            } else {
                let relabelled: Vec<String> = self
                    .likelihood
                    .iter()
                    .zip(&example.likelihood)
                    .map(|(a, b)| (&a.label, &b.label))
                    .chain(
                        self.severity
                            .iter()
                            .zip(&example.severity)
                            .map(|(a, b)| (&a.label, &b.label)),
                    )
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| format!("{a} (the example says {b})"))
                    .collect();
                if !relabelled.is_empty() {
                    w.push(format!(
                        "levels relabelled from the NHS example: {}",
                        relabelled.join(", ")
                    ));
                }
            }
        }
        for a in &self.acceptability {
            if a.label.to_lowercase().contains("tolerable") {
                w.push(format!(
                    "acceptability {} is called \"{}\": \"Tolerable\" is not the standard's word",
                    a.rating, a.label
                ));
            }
        }
        w
    }

    fn likelihood_index(&self, code: &str) -> Option<usize> {
        self.likelihood
            .iter()
            .position(|l| l.code.eq_ignore_ascii_case(code) || l.label.eq_ignore_ascii_case(code))
    }

    fn severity_index(&self, code: &str) -> Option<usize> {
        self.severity
            .iter()
            .position(|s| s.code.eq_ignore_ascii_case(code) || s.label.eq_ignore_ascii_case(code))
    }

    /// Assess: the rating is looked up. `likelihood` and `severity` are codes ("L3") or labels
    /// ("Medium"); `field` prefixes the error (e.g. `initial`).
    pub fn assess(&self, field: &str, likelihood: &str, severity: &str) -> Result<Assessment, SchemeError> {
        let l = self.likelihood_index(likelihood).ok_or_else(|| {
            invalid(
                format!("{field}.likelihood"),
                format!(
                    "'{likelihood}' is not a likelihood in {} (one of {})",
                    self.name,
                    self.likelihood
                        .iter()
                        .map(|l| l.label.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        let s = self.severity_index(severity).ok_or_else(|| {
            invalid(
                format!("{field}.severity"),
                format!(
                    "'{severity}' is not a severity in {} (one of {})",
                    self.name,
                    self.severity
                        .iter()
                        .map(|s| s.label.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        Ok(Assessment {
            scheme: self.reference(),
            likelihood: self.likelihood[l].code.clone(),
            severity: self.severity[s].code.clone(),
            rating: self.matrix[l][s],
        })
    }

    /// What a rating means in this scheme.
    pub fn acceptability_of(&self, rating: u8) -> Option<&Acceptability> {
        self.acceptability.iter().find(|a| a.rating == rating)
    }

    /// Labels for an assessment's codes.
    pub fn labels(&self, a: &Assessment) -> (String, String) {
        let l = self
            .likelihood_index(&a.likelihood)
            .map(|i| self.likelihood[i].label.clone());
        let s = self.severity_index(&a.severity).map(|i| self.severity[i].label.clone());
        (
            l.unwrap_or_else(|| a.likelihood.clone()),
            s.unwrap_or_else(|| a.severity.clone()),
        )
    }
}

/// A likelihood and a severity with the rating looked up from the scheme named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Assessment {
    pub scheme: SchemeRef,
    pub likelihood: String,
    pub severity: String,
    /// Derived from the scheme's matrix; never typed.
    pub rating: u8,
}
