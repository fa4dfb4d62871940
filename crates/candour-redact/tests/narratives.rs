//! Hand-checked, realistic but fictional incident narratives (domain reference §5.3:
//! synthetic templates overstate accuracy, so keep a small set written by hand).
//! Each listed identifier must be fully redacted and each clinical token kept.

use candour_redact::Redactor;

const TEXT: &str = include_str!("fixtures/narratives.txt");

/// Identifiers in the fixture, each of which must be fully covered by a redaction.
const PII: &[&str] = &[
    "Edith Ramsbottom",
    "03.02.1938",
    "999 123 4561",
    "Tomasz Wójcik",
    "Gemma",
    "Wójcik",
    "Kasia",
    "HARGREAVES",
    "Colin",
    "81y",
    "J1234567",
    "943 476 5919",
    "3 Clough Lane, Hebden Bridge HX7 8AB",
    "R. Chaudhry",
    "Darren",
    "07700 900461",
    "Todmorden",
    "Bernadette O'Hare",
    "Femi Adebayo-Smith",
    "Patel",
    "Nwosu",
    "Raj",
    "01/06/2025",
    "RTH7654321",
    "Aisling Fitzpatrick",
    "Chloe Baptiste-Mensah",
];

/// Clinical and operational content that must survive redaction.
const KEEP: &[&str] = &[
    "02:15",
    "14/11/2024",
    "Ward 7B",
    "SHO",
    "eMAR",
    "MedChart v8.2",
    "gentamicin 5 mg/kg",
    "bed 12",
    "PAS",
    "bleep 2231",
    "06:00",
    "Datix 118273",
    "Calder Valley Surgery (Y02345)",
    "penicillin",
    "NOK",
    "CSO",
    "Lorenzo",
    "Monday",
    "ICE",
    "AMU",
    "24T558102",
    "9 hours",
    "Twin 2",
    "04:12",
    "2.1 kg",
    "08:00",
    "Pharmacy order 4417829",
    "Tazocin 4.5 g IV TDS",
    "Ward 21",
    "13:40",
    "Version 3.14.2",
    "OrderComms",
    "2024-10-02",
    "CHG0034421",
];

/// Char range of `needle` in the fixture (`None` if absent).
fn char_range(needle: &str) -> Option<(usize, usize)> {
    let byte = TEXT.find(needle)?;
    let start = TEXT[..byte].chars().count();
    Some((start, start + needle.chars().count()))
}

#[test]
fn narratives_are_redacted_and_clinical_content_kept() {
    let r = Redactor::new();
    let spans = r.find(TEXT);
    let chars: Vec<char> = TEXT.chars().collect();
    let shown = || {
        spans
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect::<String>())
            .collect::<Vec<_>>()
    };
    for needle in PII {
        let (s, e) = char_range(needle).unwrap_or_else(|| panic!("{needle:?} not in fixture"));
        assert!(
            spans.iter().any(|p| p.start <= s && e <= p.end),
            "{needle:?} leaked; redacted: {:?}",
            shown()
        );
    }
    for needle in KEEP {
        let (s, e) = char_range(needle).unwrap_or_else(|| panic!("{needle:?} not in fixture"));
        assert!(
            !spans.iter().any(|p| p.start < e && p.end > s),
            "{needle:?} damaged; redacted: {:?}",
            shown()
        );
    }
}
