//! Property tests: `find` never panics and always returns sorted, non-overlapping,
//! in-bounds char spans, and `redact` is consistent with `find`.

use std::sync::LazyLock;

use candour_redact::{Kind, Redactor};
use proptest::prelude::*;

static R: LazyLock<Redactor> = LazyLock::new(Redactor::new);

fn check(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let spans = R.find(text);
    for s in &spans {
        assert!(
            s.start < s.end && s.end <= chars.len(),
            "{s:?} out of bounds for {text:?}"
        );
        assert!((0.0..=1.0).contains(&s.score), "{s:?}");
        assert!(!s.reason.is_empty(), "{s:?}");
    }
    for w in spans.windows(2) {
        assert!(w[0].end <= w[1].start, "unsorted or overlapping {w:?} in {text:?}");
    }
    let red = R.redact(text);
    assert_eq!(red.spans, spans);
    // Rebuilding the output from the spans gives the redacted text.
    let mut expected = String::new();
    let mut last = 0;
    for s in &spans {
        expected.extend(&chars[last..s.start]);
        expected.push_str(s.kind.placeholder());
        last = s.end;
    }
    expected.extend(&chars[last..]);
    assert_eq!(red.text, expected);
}

/// Fragments that exercise every detector and the name rules when shuffled together.
const SOUP: &[&str] = &[
    "Mr",
    "Dr",
    "Mrs",
    "dr",
    "Sister",
    "Nurse",
    "patient",
    "pt",
    "NOK:",
    "daughter",
    "seen",
    "by",
    "Dear",
    "--",
    "\n",
    ",",
    ".",
    ". ",
    ":",
    "(",
    ")",
    "'s",
    "’s",
    "-",
    "John",
    "SMITH,",
    "Smith",
    "O'Connor",
    "Zoë",
    "Łukasz",
    "Adeyemi's",
    "de",
    "van",
    "der",
    "Ó",
    "Will",
    "Rose",
    "Ward",
    "Ward 12",
    "bed 4",
    "Bay 3",
    "A.",
    "J",
    "I",
    "943",
    "476",
    "5919",
    "9434765919",
    "943-476-5919",
    "NHS",
    "CHI",
    "H&C",
    "1203549912",
    "AB123456C",
    "NI",
    "SW1A",
    "2AA",
    "ls14ap",
    "postcode",
    "LS1",
    "07700",
    "900123",
    "+44",
    "(0)",
    "0113",
    "496",
    "0000",
    "jane@example.com",
    "https://example.org/x",
    "DOB",
    "born",
    "12/03/1954",
    "1st",
    "April",
    "1980",
    "12-Mar-1954",
    "2024-03-15",
    "70y",
    "aged",
    "70-year-old",
    "MRN",
    "RX1234567",
    "K123456",
    "hospital",
    "number",
    "10",
    "Downing",
    "Street",
    "lives",
    "at",
    "in",
    "Leeds",
    "Amoxicillin",
    "500 mg",
    "TDS",
    "14:30",
    "CareFlow",
    "EPR",
    "v8.2",
    "24.3.1",
    "Z99001",
    "INC0012345",
    "",
    " ",
    "  ",
    "é",
    "ß",
    "🙂",
    "\u{a0}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn text_like_strings(s in "[A-Za-z0-9 ,.'’:;()+@/&\\-\\n\u{a0}éëŁżøÓ]{0,240}") {
        check(&s);
    }

    #[test]
    fn identifier_soup(parts in prop::collection::vec(prop::sample::select(SOUP), 0..60), sep in prop::sample::select(&[" ", "", "\n", ", "][..])) {
        check(&parts.join(sep));
    }
}

#[test]
fn soup_examples_still_find_identifiers() {
    // A sanity check that the soup is meaningful: a well-formed sentence from it is redacted.
    let spans = R.find("Dr John Smith saw NHS 943 476 5919 at SW1A 2AA");
    let kinds: Vec<Kind> = spans.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [Kind::Name, Kind::NhsNumber, Kind::Postcode]);
}
