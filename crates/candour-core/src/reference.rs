//! Report kinds and their human-friendly references, e.g. `CS-2026-000123`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a report is about. Each kind has its own reference prefix and kind-specific block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A clinical safety issue with a health IT system.
    ClinicalSafety,
    /// A cyber security incident at an organisation.
    CyberIncident,
    /// Something suspicious: an email, a call, a USB stick.
    SuspiciousActivity,
    /// A vulnerability in a system used by the NHS.
    Vulnerability,
    /// A problem with a medical or implanted device.
    DeviceIncident,
}

impl ReportKind {
    /// Every kind, in display order.
    pub const ALL: [ReportKind; 5] = [
        ReportKind::ClinicalSafety,
        ReportKind::CyberIncident,
        ReportKind::SuspiciousActivity,
        ReportKind::Vulnerability,
        ReportKind::DeviceIncident,
    ];

    /// The two-letter reference prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            ReportKind::ClinicalSafety => "CS",
            ReportKind::CyberIncident => "CY",
            ReportKind::SuspiciousActivity => "SA",
            ReportKind::Vulnerability => "VU",
            ReportKind::DeviceIncident => "DV",
        }
    }

    /// The kind for a reference prefix.
    pub fn from_prefix(p: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.prefix() == p)
    }

    /// The snake_case wire name (`clinical_safety`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::ClinicalSafety => "clinical_safety",
            ReportKind::CyberIncident => "cyber_incident",
            ReportKind::SuspiciousActivity => "suspicious_activity",
            ReportKind::Vulnerability => "vulnerability",
            ReportKind::DeviceIncident => "device_incident",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::ClinicalSafety => "Clinical safety issue with a health IT system",
            ReportKind::CyberIncident => "Cyber security incident",
            ReportKind::SuspiciousActivity => "Suspicious activity",
            ReportKind::Vulnerability => "Vulnerability",
            ReportKind::DeviceIncident => "Medical or implanted device problem",
        }
    }
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown report kind '{s}'"))
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report reference: kind prefix, year, and a sequence number unique within that kind and year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Reference {
    kind: ReportKind,
    year: i32,
    seq: u32,
}

impl Reference {
    /// Build one. `seq` starts at 1.
    pub fn new(kind: ReportKind, year: i32, seq: u32) -> Self {
        Self { kind, year, seq }
    }
    /// The kind it names.
    pub fn kind(&self) -> ReportKind {
        self.kind
    }
    /// The year it was issued in.
    pub fn year(&self) -> i32 {
        self.year
    }
    /// Its number within kind and year.
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{:06}", self.kind.prefix(), self.year, self.seq)
    }
}

impl FromStr for Reference {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a report reference like CS-2026-000123");
        let mut parts = s.trim().split('-');
        let (Some(p), Some(y), Some(n), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let kind = ReportKind::from_prefix(&p.to_ascii_uppercase()).ok_or_else(bad)?;
        if y.len() != 4 || n.len() < 6 || !y.chars().chain(n.chars()).all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let seq: u32 = n.parse().map_err(|_| bad())?;
        if seq == 0 {
            return Err(bad());
        }
        Ok(Self { kind, year, seq })
    }
}

impl TryFrom<String> for Reference {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Reference> for String {
    fn from(r: Reference) -> Self {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses() {
        let r = Reference::new(ReportKind::ClinicalSafety, 2026, 123);
        assert_eq!(r.to_string(), "CS-2026-000123");
        assert_eq!("cs-2026-000123".parse::<Reference>(), Ok(r));
        assert_eq!(
            Reference::new(ReportKind::Vulnerability, 2027, 1_234_567).to_string(),
            "VU-2027-1234567"
        );
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "CS",
            "CS-2026",
            "XX-2026-000001",
            "CS-26-000001",
            "CS-2026-12",
            "CS-2026-000000",
            "CS-2026-00001a",
            "CS-2026-000001-1",
        ] {
            assert!(s.parse::<Reference>().is_err(), "{s}");
        }
    }

    #[test]
    fn prefixes_are_distinct() {
        let mut p: Vec<_> = ReportKind::ALL.iter().map(|k| k.prefix()).collect();
        p.sort();
        p.dedup();
        assert_eq!(p.len(), ReportKind::ALL.len());
    }

    proptest! {
        #[test]
        fn round_trips(k in 0usize..5, year in 2000i32..2200, seq in 1u32..u32::MAX) {
            let r = Reference::new(ReportKind::ALL[k], year, seq);
            prop_assert_eq!(r.to_string().parse::<Reference>(), Ok(r));
        }
    }
}
