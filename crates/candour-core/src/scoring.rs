//! CVSS vectors (v3.0, v3.1 and v4.0) parsed and scored with the RustSec `cvss` crate. A vulnerability
//! report's vector is checked when it is submitted, and its score shown to the people handling it.

use serde::Serialize;
use std::str::FromStr;

/// A scored CVSS vector.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CvssScore {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// Score, 0.0–10.0 (v3: the base score; v4: per its nomenclature).
    pub score: f64,
    /// none, low, medium, high or critical.
    pub severity: String,
    /// v4 only: CVSS-B, CVSS-BT, CVSS-BE or CVSS-BTE (always report it with the score).
    pub nomenclature: Option<String>,
}

/// Parse and score a vector; the error says what is wrong with it.
pub fn cvss(vector: &str) -> Result<CvssScore, String> {
    let v = cvss::Cvss::from_str(vector.trim()).map_err(|e| e.to_string())?;
    let (version, nomenclature) = match &v {
        cvss::Cvss::CvssV30(_) => ("3.0", None),
        cvss::Cvss::CvssV31(_) => ("3.1", None),
        cvss::Cvss::CvssV40(v4) => ("4.0", Some(v4.nomenclature().to_string())),
        _ => return Err("only CVSS 3.0, 3.1 and 4.0 vectors are accepted".into()),
    };
    Ok(CvssScore {
        version: version.into(),
        score: v.score(),
        severity: v.severity().as_str().into(),
        nomenclature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_vectors_score_as_the_reference_implementations_do() {
        // ../shared/domain/cyber-and-disclosure.md §8.3 (RustSec cvss 3.0.0 and PyPI cvss 3.6 agree).
        for (vector, score, severity, nom) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical", None),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium", None),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "high", None),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
                "critical",
                Some("CVSS-B"),
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
                "high",
                Some("CVSS-B"),
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
                8.1,
                "high",
                Some("CVSS-BT"),
            ),
            (
                "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H/S:P",
                8.3,
                "high",
                Some("CVSS-B"),
            ),
            // Environmental Safety (a medical device that can hurt someone) raises the score.
            (
                "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H/S:P/MSA:S",
                9.2,
                "critical",
                Some("CVSS-BE"),
            ),
        ] {
            let s = cvss(vector).unwrap_or_else(|e| panic!("{vector}: {e}"));
            assert_eq!(
                (s.score, s.severity.as_str(), s.nomenclature.as_deref()),
                (score, severity, nom),
                "{vector}"
            );
        }
    }

    #[test]
    fn malformed_vectors_are_refused_with_a_reason() {
        for bad in [
            "CVSS:4.0/AV:N/AC:L",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "nonsense",
            "",
        ] {
            assert!(cvss(bad).is_err(), "{bad:?} accepted");
        }
    }
}
