//! Candour's text redaction engine: finds patient-identifiable information in free text
//! from UK health-care incident reports and replaces it with typed placeholders.
//!
//! Recall comes first: when a detector is unsure it redacts, because over-redaction is
//! the safe way to fail and a person reviews every redacted report before it is shared.
//!
//! * Structured identifiers are found deterministically (regular expressions plus
//!   validators): NHS / CHI / H&C numbers (Modulus 11), NINOs, postcodes, UK phone
//!   numbers, emails, URLs, dates of birth, ages, hospital numbers and street addresses.
//! * Names are found with lexicons (philter-lite's BSD-3 lists plus a UK supplement),
//!   title / role / banner cues, a clinical safe-word list, and propagation of every
//!   name found to its other occurrences in the same report.
//!
//! ```
//! let r = candour_redact::Redactor::new();
//! let out = r.redact("Mr John Smith, NHS number 943 476 5919, was given 500 mg TDS.");
//! assert_eq!(out.text, "Mr [NAME], NHS number [NHS NUMBER], was given 500 mg TDS.");
//! ```

mod checks;
pub mod eval;
mod lexicon;
mod names;
mod structured;

use std::collections::HashSet;

pub use checks::nhs_number_valid;

/// The category of a redacted span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// NHS number (England, Wales, Isle of Man) or H&C number (Northern Ireland).
    NhsNumber,
    /// Scottish Community Health Index number.
    Chi,
    /// National Insurance number.
    NiNumber,
    /// UK postcode (full, or outward code after a cue).
    Postcode,
    /// UK telephone number.
    Phone,
    /// Email address.
    Email,
    /// Web address.
    Url,
    /// Date of birth (any date with a birth cue).
    DateOfBirth,
    /// A date that may identify someone (an old date without a birth cue).
    Date,
    /// A person's age.
    Age,
    /// Hospital number, MRN, K-number or unit number.
    HospitalNumber,
    /// Street address.
    Address,
    /// A person's name.
    Name,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 13] = [
        Kind::NhsNumber,
        Kind::Chi,
        Kind::NiNumber,
        Kind::Postcode,
        Kind::Phone,
        Kind::Email,
        Kind::Url,
        Kind::DateOfBirth,
        Kind::Date,
        Kind::Age,
        Kind::HospitalNumber,
        Kind::Address,
        Kind::Name,
    ];

    /// Stable machine name, e.g. `"NHS_NUMBER"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NhsNumber => "NHS_NUMBER",
            Kind::Chi => "CHI",
            Kind::NiNumber => "NI_NUMBER",
            Kind::Postcode => "POSTCODE",
            Kind::Phone => "PHONE",
            Kind::Email => "EMAIL",
            Kind::Url => "URL",
            Kind::DateOfBirth => "DATE_OF_BIRTH",
            Kind::Date => "DATE",
            Kind::Age => "AGE",
            Kind::HospitalNumber => "HOSPITAL_NUMBER",
            Kind::Address => "ADDRESS",
            Kind::Name => "NAME",
        }
    }

    /// Text that replaces a redacted span, e.g. `"[NHS NUMBER]"`.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::NhsNumber => "[NHS NUMBER]",
            Kind::Chi => "[CHI]",
            Kind::NiNumber => "[NI NUMBER]",
            Kind::Postcode => "[POSTCODE]",
            Kind::Phone => "[PHONE]",
            Kind::Email => "[EMAIL]",
            Kind::Url => "[URL]",
            Kind::DateOfBirth => "[DATE OF BIRTH]",
            Kind::Date => "[DATE]",
            Kind::Age => "[AGE]",
            Kind::HospitalNumber => "[HOSPITAL NUMBER]",
            Kind::Address => "[ADDRESS]",
            Kind::Name => "[NAME]",
        }
    }

    /// How specific the kind is when overlapping spans are merged (higher wins).
    fn specificity(self) -> u8 {
        match self {
            Kind::Chi => 13,
            Kind::NhsNumber => 12,
            Kind::NiNumber => 11,
            Kind::Email => 10,
            Kind::Url => 9,
            Kind::Phone => 8,
            Kind::DateOfBirth => 7,
            Kind::HospitalNumber => 6,
            Kind::Postcode => 5,
            Kind::Address => 4,
            Kind::Date => 3,
            Kind::Age => 2,
            Kind::Name => 1,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One redacted region of a text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Span {
    /// Start offset in Unicode scalar values (chars), inclusive.
    pub start: usize,
    /// End offset in chars, exclusive.
    pub end: usize,
    /// What was found; serialised as its `as_str` name under the key `"type"`.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Why it was redacted, for the human reviewer.
    pub reason: String,
    /// Confidence in 0..=1 (everything returned is redacted, whatever its score).
    pub score: f32,
}

/// A redacted text and the spans that were replaced (offsets refer to the original text).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Redacted {
    /// The text with each span replaced by its kind's placeholder.
    pub text: String,
    /// The spans found in the original text, sorted and non-overlapping.
    pub spans: Vec<Span>,
}

/// A span in byte offsets, used internally before conversion to char offsets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawSpan {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub reason: &'static str,
    pub score: f32,
}

impl RawSpan {
    pub(crate) fn new(start: usize, end: usize, kind: Kind, reason: &'static str, score: f32) -> RawSpan {
        RawSpan {
            start,
            end,
            kind,
            reason,
            score,
        }
    }
}

/// The reason given when the detectors could not be built and everything is redacted (fail closed).
pub const UNAVAILABLE_REASON: &str = "detectors unavailable: redacting everything";

/// The redaction engine. Build it once (it loads the embedded lexicons) and share it:
/// it is `Send + Sync` and every method takes `&self`.
pub struct Redactor {
    patterns: Option<structured::Patterns>,
    names: names::NameFinder,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl Redactor {
    /// Builds the engine: compiles the patterns and loads the embedded lexicons.
    pub fn new() -> Redactor {
        Redactor {
            // The patterns are constants covered by tests, so this cannot fail in
            // practice; if it ever did, `find` fails closed (redacts everything).
            patterns: structured::Patterns::new().ok(),
            names: names::NameFinder::new(),
        }
    }

    /// Finds identifying spans in `text`: sorted, non-overlapping, char offsets.
    pub fn find(&self, text: &str) -> Vec<Span> {
        let (raw, _) = self.detect(text, &HashSet::new());
        to_char_spans(text, &raw)
    }

    /// Replaces each span found in `text` with its kind's placeholder.
    pub fn redact(&self, text: &str) -> Redacted {
        let (raw, _) = self.detect(text, &HashSet::new());
        apply(text, &raw)
    }

    /// Redacts several free-text fields of one report. A name found in any field is
    /// also redacted wherever it occurs in every other field.
    pub fn redact_all(&self, texts: &[&str]) -> Vec<Redacted> {
        let first: Vec<(Vec<RawSpan>, HashSet<String>)> =
            texts.iter().map(|t| self.detect(t, &HashSet::new())).collect();
        let names: HashSet<&String> = first.iter().flat_map(|(_, found)| found).collect();
        texts
            .iter()
            .zip(&first)
            .map(|(t, (raw, found))| {
                // Detect again, with the other fields' names, only where one of them can occur: keys are
                // normalised character by character, so a key absent from the normalised text cannot
                // occur in it as a word. (A false "present" merely costs the second pass.)
                let mut norm = String::new();
                lexicon::normalise_into(t, &mut norm);
                let propagate = names.iter().any(|n| !found.contains(*n) && norm.contains(n.as_str()));
                if propagate {
                    let all: HashSet<String> = names.iter().map(|n| (*n).clone()).collect();
                    let (raw, _) = self.detect(t, &all);
                    apply(t, &raw)
                } else {
                    apply(t, raw)
                }
            })
            .collect()
    }

    /// Runs every detector; returns merged byte spans and the normalised name tokens found.
    fn detect(&self, text: &str, extra_names: &HashSet<String>) -> (Vec<RawSpan>, HashSet<String>) {
        let Some(patterns) = &self.patterns else {
            let all = RawSpan::new(0, text.len(), Kind::Name, UNAVAILABLE_REASON, 1.0);
            return (if text.is_empty() { Vec::new() } else { vec![all] }, HashSet::new());
        };
        let mut spans = patterns.find(text);
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let (name_spans, found) = self.names.find(text, &spans, extra_names);
        spans.extend(patterns.ids_after_names(text, &name_spans));
        spans.extend(name_spans);
        (merge(spans), found)
    }
}

/// Merges overlapping spans. A cluster keeps the kind of a span that covers the whole
/// cluster when there is one (an address containing its postcode stays an address),
/// otherwise the most specific kind in it.
fn merge(mut spans: Vec<RawSpan>) -> Vec<RawSpan> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<RawSpan> = Vec::with_capacity(spans.len());
    let mut cluster: Vec<RawSpan> = Vec::new();
    let flush = |cluster: &mut Vec<RawSpan>, out: &mut Vec<RawSpan>| {
        let Some(first) = cluster.first() else { return };
        let start = first.start;
        let end = cluster.iter().map(|s| s.end).max().unwrap_or(first.end);
        let covering = cluster.iter().filter(|s| s.start == start && s.end == end);
        let best = covering
            .max_by_key(|s| s.kind.specificity())
            .or_else(|| cluster.iter().max_by_key(|s| s.kind.specificity()));
        if let Some(best) = best {
            let score = cluster.iter().map(|s| s.score).fold(0.0f32, f32::max);
            out.push(RawSpan {
                start,
                end,
                kind: best.kind,
                reason: best.reason,
                score,
            });
        }
        cluster.clear();
    };
    for s in spans {
        let cluster_end = cluster.iter().map(|c| c.end).max();
        if let Some(e) = cluster_end {
            if s.start >= e {
                flush(&mut cluster, &mut out);
            }
        }
        cluster.push(s);
    }
    flush(&mut cluster, &mut out);
    out
}

/// Converts byte spans to char spans (one pass; spans are sorted).
fn to_char_spans(text: &str, raw: &[RawSpan]) -> Vec<Span> {
    let mut conv = CharCounter::new(text);
    raw.iter()
        .map(|r| Span {
            start: conv.chars_before(r.start),
            end: conv.chars_before(r.end),
            kind: r.kind,
            reason: r.reason.to_string(),
            score: r.score,
        })
        .collect()
}

/// Builds the redacted text and the char spans.
fn apply(text: &str, raw: &[RawSpan]) -> Redacted {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in raw {
        out.push_str(text.get(last..r.start).unwrap_or(""));
        out.push_str(r.kind.placeholder());
        last = r.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    Redacted {
        text: out,
        spans: to_char_spans(text, raw),
    }
}

/// Counts chars before increasing byte offsets without rescanning from the start.
struct CharCounter<'a> {
    text: &'a str,
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl<'a> CharCounter<'a> {
    fn new(text: &'a str) -> Self {
        CharCounter {
            text,
            ascii: text.is_ascii(),
            byte: 0,
            chars: 0,
        }
    }

    /// Chars in `text[..byte]`; `byte` must be a char boundary and not below the last call
    /// (a smaller offset restarts the count).
    fn chars_before(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text.get(self.byte..byte).map_or(0, |s| s.chars().count());
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests;
