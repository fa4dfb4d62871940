//! Organisation Data Service (ODS) codes, e.g. `RX1` (a trust), `RX1AB` (a site), `A81001` (a GP practice).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A format-checked ODS code: 3 to 10 characters, ASCII letters and digits, stored upper-case.
///
/// Format only: whether the organisation exists is a directory question, not a domain one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

/// Why a string is not an ODS code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdsError {
    /// Wrong length.
    #[error("an ODS code has 3 to 10 characters, this has {0}")]
    Length(usize),
    /// A character other than A-Z or 0-9.
    #[error("an ODS code has only letters and digits")]
    Characters,
    /// Digits only (every ODS code has at least one letter).
    #[error("an ODS code has at least one letter")]
    NoLetter,
}

impl OdsCode {
    /// Parse and normalise (trim, upper-case).
    pub fn parse(s: &str) -> Result<Self, OdsError> {
        let t = s.trim();
        let n = t.chars().count();
        if !(3..=10).contains(&n) {
            return Err(OdsError::Length(n));
        }
        if !t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(OdsError::Characters);
        }
        if !t.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(OdsError::NoLetter);
        }
        Ok(Self(t.to_ascii_uppercase()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<OdsCode> for String {
    fn from(c: OdsCode) -> Self {
        c.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_shapes_and_normalises() {
        for (input, want) in [
            ("RX1", "RX1"),
            (" rx1ab ", "RX1AB"),
            ("A81001", "A81001"),
            ("00L", "00L"),
        ] {
            assert_eq!(OdsCode::parse(input).map(|c| c.0), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(OdsCode::parse("R1"), Err(OdsError::Length(2)));
        assert_eq!(OdsCode::parse("RX1-AB"), Err(OdsError::Characters));
        assert_eq!(OdsCode::parse("12345"), Err(OdsError::NoLetter));
        assert_eq!(OdsCode::parse("ABCDEFGHIJK"), Err(OdsError::Length(11)));
        assert!(OdsCode::parse("RÅ1").is_err());
    }
}
