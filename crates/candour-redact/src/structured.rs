//! Deterministic detectors for structured identifiers: NHS / CHI / H&C numbers, phones,
//! NINOs, postcodes, emails, URLs, dates of birth, ages, hospital numbers and addresses.
//!
//! All offsets here are byte offsets into the text. Patterns use ASCII word boundaries
//! (`(?-u:\b)`) so the regex engine can stay on its fast DFA path.

use regex::Regex;

use crate::checks;
use crate::{Kind, RawSpan};

/// Street-type words that end a street name ("Road", "Close", "Wynd"...).
const STREET_TYPES: &str = "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Place|Pl|Court|Ct|\
Gardens|Gdns|Grove|Terrace|Tce|Square|Sq|Park|Hill|Mews|Row|View|Walk|Rise|Green|Vale|Parade|Boulevard|Mount|\
Bank|Gate|Wharf|Yard|Fold|Croft|Meadow|Meadows|Wynd|Brae|Heights|Chase|Approach|Circus|Quay|Grange|Fields|\
Hollow|Dene|Garth|Loan|Broadway|Esplanade|Promenade|Crossway|Underway";

/// Month names and abbreviations, longest first so alternation prefers full names.
const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec";

/// IT ticket prefixes that look like "letters + digits" but never identify a patient.
const TICKET_PREFIXES: &[&str] = &[
    "INC", "CHG", "REQ", "RITM", "PRB", "TASK", "KB", "SR", "CR", "RFC", "DCB", "ISO", "CVE", "PO", "ORD", "INV",
];

/// Full dates before this year are redacted (as `Date`) even without a birth cue: they
/// are too old to be incident dates, and a bare old date next to a name in a banner is
/// almost always a date of birth. Incident dates (recent) are kept.
pub const OLD_DATE_BEFORE: i32 = 2010;

/// Titles that cannot be part of a street name ("2020 Dr Minh Park" is not an address).
const TITLE_WORDS: &[&str] = &["Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Nurse", "Sister", "Rev"];

/// The compiled patterns. Built once per [`crate::Redactor`].
pub struct Patterns {
    nhs_cue: Regex,
    nhs_cue_after: Regex,
    chi_cue: Regex,
    nino: Regex,
    nino_cue: Regex,
    postcode: Regex,
    outward: Regex,
    email: Regex,
    url: Regex,
    date_num: Regex,
    date_iso: Regex,
    date_dmy_text: Regex,
    date_mdy_text: Regex,
    dob_partial: Regex,
    dob_cue: Regex,
    age_after: Regex,
    age: Regex,
    age_cued: Regex,
    mrn_shape: Regex,
    mrn_cued: Regex,
    address: Regex,
    address_tail: Regex,
    address_cue: Regex,
    address_run: Regex,
    lives_in: Regex,
    id_after_name: Regex,
}

impl Patterns {
    /// Compiles every pattern.
    pub fn new() -> Result<Patterns, regex::Error> {
        let b = "(?-u:\\b)";
        Ok(Patterns {
            nhs_cue: Regex::new(&format!(
                r"(?i){b}(?:nhs|chi{b}|h ?& ?c{b}|h and c{b}|health (?:and|&) care (?:no|number))"
            ))?,
            nhs_cue_after: Regex::new(&format!(r"(?i)^[ \t(\[,:-]{{0,3}}(?:nhs|chi|h ?& ?c){b}"))?,
            chi_cue: Regex::new(&format!(r"(?i){b}chi{b}"))?,
            nino: Regex::new(&format!(
                r"(?i){b}([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ -]?([0-9]{{2}})[ -]?([0-9]{{2}})[ -]?([0-9]{{2}})(?:[ -]?([A-D]))?{b}"
            ))?,
            nino_cue: Regex::new(&format!(r"(?i){b}(?:ni|nino|nin|national insurance|n\.i\.){b}"))?,
            postcode: Regex::new(&format!(
                r"(?i){b}(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9][A-HJKPSTUW]?|[0-9]{{2}}|[A-HK-Y][0-9](?:[ABEHMNPRV-Y]|[0-9])?) {{0,2}}[0-9][ABD-HJLNP-UW-Z]{{2}}){b}"
            ))?,
            outward: Regex::new(&format!(
                r"(?i:{b}(?:post ?code|postal code|lives in|living in|address|area|district)){b}[ \t:,-]*(?:[A-Z][a-z]+[ \t,]+){{0,2}}((?i:[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?)){b}"
            ))?,
            email: Regex::new(r"(?i)[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")?,
            url: Regex::new(&format!(r#"(?i){b}(?:https?://|www\.)[^\s<>"'\)\]]+"#))?,
            date_num: Regex::new(&format!(
                r"{b}([0-9]{{1,2}})([/.-])([0-9]{{1,2}})([/.-])([0-9]{{4}}|[0-9]{{2}}){b}"
            ))?,
            date_iso: Regex::new(&format!(
                r"{b}((?:18|19|20)[0-9]{{2}})([/.-])([0-9]{{1,2}})([/.-])([0-9]{{1,2}}){b}"
            ))?,
            date_dmy_text: Regex::new(&format!(
                r"(?i){b}([0-9]{{1,2}})(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t./-]*({MONTHS})\.?[ \t./,-]*([0-9]{{4}}|'[0-9]{{2}}|[0-9]{{2}}){b}"
            ))?,
            date_mdy_text: Regex::new(&format!(
                r"(?i){b}({MONTHS})\.?[ \t]+([0-9]{{1,2}})(?:st|nd|rd|th)?,?[ \t]+([0-9]{{4}}){b}"
            ))?,
            dob_partial: Regex::new(&format!(
                r"(?i){b}(?:born|dob|d\.o\.b\.?|date of birth)[ \t:.-]*(?:(?:in|on)[ \t]+)?((?:{MONTHS})[ \t,]+[0-9]{{4}}|[0-9]{{1,2}}/[0-9]{{4}}|(?:18|19|20)[0-9]{{2}}){b}"
            ))?,
            dob_cue: Regex::new(r"(?i)(?:dob|d\.o\.b|d/o/b|date of birth|birth ?date|born|birthday)")?,
            age_after: Regex::new(
                r"(?i)^[ \t,;:(\[-]{0,3}(?:aged?[ \t]+[0-9]|[0-9]{1,3}[ \t]?(?:y|yo|yrs?|years?)\b)",
            )?,
            age: Regex::new(&format!(
                r"(?i){b}[0-9]{{1,3}}(?:[ -]?(?:years?|yrs?)[ -]old{b}|-?(?:year|yr)-old{b}|[ ]?(?:yo|yrs?){b}|[ ]?y/o{b}|[ ]?y\.o\.?|y{b})"
            ))?,
            age_cued: Regex::new(&format!(r"(?i){b}(?:aged|age)[ \t]*[:=]?[ \t]*([0-9]{{1,3}}){b}"))?,
            mrn_shape: Regex::new(&format!(r"{b}([A-Z]{{1,4}})([0-9]{{6,8}})[A-Z]?{b}"))?,
            mrn_cued: Regex::new(&format!(
                r"(?i){b}(?:mrn|m\.r\.n|hospital|hosp|unit|k[ -]?(?:no|num|number)|case|pas|patient|crn|rtx|rm|record){b}\.?(?:[ \t-]*(?:no|num|number|id|ref){b}\.?|[ \t]*#)?[ \t:.#=(-]*(?:(?:is|of)[ \t]+)?([a-z]{{0,3}}[ -]?[0-9]{{5,10}}[a-z]?){b}"
            ))?,
            address: Regex::new(&format!(
                r"{b}(?:(?:Flat|Apartment|Apt|Unit|FLAT)[ \t]+[0-9]+[A-Za-z]?,?[ \t]+)?[0-9]{{1,4}}[A-Za-z]?,?[ \t]+(?:[A-Z][A-Za-z'’-]*[ \t]+){{1,3}}(?i:{STREET_TYPES}){b}\.?"
            ))?,
            address_tail: Regex::new(r"^(?:,[ \t]*[A-Z][A-Za-z'’-]+(?:[ \t]+[A-Z][A-Za-z'’-]+){0,2}){0,2}")?,
            address_cue: Regex::new(&format!(
                r"(?i){b}(?:home address|address|addr\.?|lives at|living at|resides at|residing at|resident at)[ \t]*[:-]?[ \t]*"
            ))?,
            address_run: Regex::new(r"^(?:(?:[0-9]+[A-Za-z]?|[A-Z][A-Za-z'’-]*)[ \t]*,?[ \t]*)+")?,
            lives_in: Regex::new(&format!(
                r"(?i:{b}(?:lives|living|resides|residing|resident)[ \t]+in)[ \t]+((?:[A-Z][A-Za-z'’-]+[ \t]?){{1,3}})"
            ))?,
            id_after_name: Regex::new(&format!(
                r"^(?:'s)?[ \t]*[(\[][ \t]*([A-Za-z]{{0,3}}[0-9]{{6,10}}[A-Za-z]?){b}"
            ))?,
        })
    }

    /// Identifiers in brackets right after a name ("Bloods for Okoro (37715030)"):
    /// a long number next to a person is almost always one of their record numbers.
    pub fn ids_after_names(&self, text: &str, names: &[RawSpan]) -> Vec<RawSpan> {
        let mut out = Vec::new();
        for n in names {
            if let Some(c) = text.get(n.end..).and_then(|rest| self.id_after_name.captures(rest)) {
                if let Some(g) = c.get(1) {
                    let (s, e) = (n.end + g.start(), n.end + g.end());
                    out.push(RawSpan::new(
                        s,
                        e,
                        Kind::HospitalNumber,
                        "record number next to a name",
                        0.7,
                    ));
                }
            }
        }
        out
    }

    /// True when an NHS / CHI / H&C cue occurs in `window` as a word of its own
    /// (not inside an email domain such as "nhs.net").
    fn nhs_cued(&self, window: &str) -> bool {
        let b = window.as_bytes();
        self.nhs_cue.find_iter(window).any(|m| {
            let before = m.start().checked_sub(1).map(|i| b[i]);
            let after = b.get(m.end()).copied();
            !matches!(before, Some(b'.' | b'@' | b'/' | b'_')) && !matches!(after, Some(b'.' | b'@' | b'/' | b'_'))
                || m.as_str().len() > 4
        })
    }

    /// Every structured span in `text` (unsorted, possibly overlapping).
    pub fn find(&self, text: &str) -> Vec<RawSpan> {
        let mut out = Vec::new();
        self.emails_urls(text, &mut out);
        self.numbers(text, &mut out);
        self.ninos(text, &mut out);
        let postcodes_from = out.len();
        self.postcodes(text, &mut out);
        let postcodes: Vec<(usize, usize)> = out[postcodes_from..]
            .iter()
            .filter(|s| s.kind == Kind::Postcode)
            .map(|s| (s.start, s.end))
            .collect();
        self.dates(text, &mut out);
        self.ages(text, &mut out);
        self.hospital_numbers(text, &mut out);
        self.addresses(text, &postcodes, &mut out);
        out
    }

    fn emails_urls(&self, text: &str, out: &mut Vec<RawSpan>) {
        for m in self.email.find_iter(text) {
            out.push(RawSpan::new(m.start(), m.end(), Kind::Email, "email address", 1.0));
        }
        for m in self.url.find_iter(text) {
            let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
            out.push(RawSpan::new(
                m.start(),
                m.start() + trimmed.len(),
                Kind::Url,
                "web address",
                0.9,
            ));
        }
    }

    /// NHS / CHI / H&C numbers and phone numbers, from chains of digit groups joined by
    /// single spaces, hyphens or brackets ("943 476 5919", "+44 (0)113 496 0000").
    fn numbers(&self, text: &str, out: &mut Vec<RawSpan>) {
        let groups = digit_groups(text);
        let mut i = 0;
        while i < groups.len() {
            let mut j = i + 1;
            while j < groups.len() && chain_gap(text, groups[j - 1].1, groups[j].0) {
                j += 1;
            }
            let chain = &groups[i..j];
            self.nhs_in_chain(text, chain, out);
            phones_in_chain(text, chain, out);
            i = j;
        }
    }

    fn nhs_in_chain(&self, text: &str, chain: &[(usize, usize)], out: &mut Vec<RawSpan>) {
        let bytes = text.as_bytes();
        for a in 0..chain.len() {
            let mut digits: Vec<u8> = Vec::with_capacity(10);
            let mut sep: Option<&str> = None;
            for b in a..chain.len() {
                if b > a {
                    // Inside one number every separator must be the same single character.
                    let gap = text.get(chain[b - 1].1..chain[b].0).unwrap_or("");
                    let single = matches!(gap, " " | "-" | "\u{a0}");
                    if !single || sep.is_some_and(|s| s != gap) {
                        break;
                    }
                    sep = Some(gap);
                }
                digits.extend_from_slice(&bytes[chain[b].0..chain[b].1]);
                if digits.len() >= 10 {
                    if digits.len() == 10 {
                        self.nhs_candidate(text, chain[a].0, chain[b].1, &digits, out);
                    }
                    break;
                }
            }
        }
    }

    fn nhs_candidate(&self, text: &str, start: usize, end: usize, digits: &[u8], out: &mut Vec<RawSpan>) {
        let valid = checks::mod11_valid(digits);
        let before = sentence_window_before(text, start, 40);
        let after = text.get(end..boundary_at_or_before(text, end + 8)).unwrap_or("");
        let cued = self.nhs_cued(before) || self.nhs_cue_after.is_match(after);
        if !valid && !cued {
            return;
        }
        let chi = cued && self.chi_cue.is_match(before) && checks::valid_ddmmyy(digits);
        let kind = if chi { Kind::Chi } else { Kind::NhsNumber };
        let (reason, score) = match (valid, cued) {
            (true, true) => ("10-digit number after an NHS/CHI/H&C cue, Modulus 11 valid", 1.0),
            (true, false) => ("10-digit number passing the Modulus 11 check", 0.9),
            _ => ("10-digit number after an NHS/CHI/H&C cue (check digit invalid)", 0.8),
        };
        out.push(RawSpan::new(start, end, kind, reason, score));
    }

    fn ninos(&self, text: &str, out: &mut Vec<RawSpan>) {
        for c in self.nino.captures_iter(text) {
            let (Some(m), Some(prefix)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if !checks::nino_prefix_ok(prefix.as_str()) {
                continue;
            }
            let upper = !m.as_str().bytes().any(|b| b.is_ascii_lowercase());
            let suffix = c.get(5).is_some();
            let cued = self.nino_cue.is_match(sentence_window_before(text, m.start(), 40));
            if cued || (upper && suffix) {
                let reason = if cued {
                    "National Insurance number after a cue"
                } else {
                    "National Insurance number"
                };
                out.push(RawSpan::new(
                    m.start(),
                    m.end(),
                    Kind::NiNumber,
                    reason,
                    if cued { 1.0 } else { 0.9 },
                ));
            }
        }
    }

    fn postcodes(&self, text: &str, out: &mut Vec<RawSpan>) {
        for m in self.postcode.find_iter(text) {
            let upper = !m.as_str().bytes().any(|b| b.is_ascii_lowercase());
            out.push(RawSpan::new(
                m.start(),
                m.end(),
                Kind::Postcode,
                "UK postcode",
                if upper { 0.9 } else { 0.7 },
            ));
        }
        for c in self.outward.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push(RawSpan::new(
                    g.start(),
                    g.end(),
                    Kind::Postcode,
                    "outward postcode after a cue",
                    0.7,
                ));
            }
        }
    }

    /// Dates with a birth cue become dates of birth; other full dates are kept unless
    /// they are too old to be an incident date (then they are redacted as `Date`).
    fn dates(&self, text: &str, out: &mut Vec<RawSpan>) {
        let mut found: Vec<(usize, usize, i32)> = Vec::new();
        for c in self.date_num.captures_iter(text) {
            let (Some(m), Some(d), Some(s1), Some(mo), Some(s2), Some(y)) =
                (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
            else {
                continue;
            };
            if s1.as_str() != s2.as_str() || dotted_continuation(text, m.start(), m.end()) {
                continue;
            }
            // "dd.mm.yy" only with two-digit day and month, so versions like 8.2.10 are kept.
            if s1.as_str() == "." && (d.len() != 2 || mo.len() != 2) {
                continue;
            }
            let year = parse_year(y.as_str());
            let (d, mo) = (num(d.as_str()), num(mo.as_str()));
            // Accept day-first, and month-first when day-first is impossible.
            if checks::valid_date(d, mo, year) || checks::valid_date(mo, d, year) {
                found.push((m.start(), m.end(), year));
            }
        }
        for c in self.date_iso.captures_iter(text) {
            let (Some(m), Some(y), Some(s1), Some(mo), Some(s2), Some(d)) =
                (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
            else {
                continue;
            };
            let year = parse_year(y.as_str());
            if s1.as_str() == s2.as_str() && checks::valid_date(num(d.as_str()), num(mo.as_str()), year) {
                found.push((m.start(), m.end(), year));
            }
        }
        for c in self.date_dmy_text.captures_iter(text) {
            let (Some(m), Some(d), Some(y)) = (c.get(0), c.get(1), c.get(3)) else {
                continue;
            };
            let year = parse_year(y.as_str().trim_start_matches('\''));
            let d = num(d.as_str());
            if (1..=31).contains(&d) && (1850..=2099).contains(&year) {
                found.push((m.start(), m.end(), year));
            }
        }
        for c in self.date_mdy_text.captures_iter(text) {
            let (Some(m), Some(d), Some(y)) = (c.get(0), c.get(2), c.get(3)) else {
                continue;
            };
            let year = parse_year(y.as_str());
            if (1..=31).contains(&num(d.as_str())) && (1850..=2099).contains(&year) {
                found.push((m.start(), m.end(), year));
            }
        }
        found.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut prev_end = 0;
        for (start, end, year) in found {
            if start < prev_end {
                continue; // contained in a longer date already handled
            }
            // Look back for a birth cue, but never past the previous date, so in
            // "DOB 12/03/1954, admitted 15/03/2024" only the first date is a DOB.
            let from = prev_end.max(start.saturating_sub(45));
            let before = text.get(boundary_at_or_after(text, from)..start).unwrap_or("");
            let before = &before[sentence_start_in(before)..];
            let after = text.get(end..boundary_at_or_before(text, end + 24)).unwrap_or("");
            let after = &after[..sentence_end_in(after)];
            let cue_after = after.len() >= 3 && self.dob_cue.is_match(after.get(..after.len().min(10)).unwrap_or(""));
            if self.dob_cue.is_match(before) || cue_after || self.age_after.is_match(after) {
                out.push(RawSpan::new(
                    start,
                    end,
                    Kind::DateOfBirth,
                    "date next to a date-of-birth cue",
                    0.95,
                ));
            } else if year < OLD_DATE_BEFORE {
                out.push(RawSpan::new(
                    start,
                    end,
                    Kind::Date,
                    "date before 2010: probably a date of birth",
                    0.6,
                ));
            }
            prev_end = end;
        }
        for c in self.dob_partial.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push(RawSpan::new(
                    g.start(),
                    g.end(),
                    Kind::DateOfBirth,
                    "partial date of birth after a cue",
                    0.8,
                ));
            }
        }
    }

    fn ages(&self, text: &str, out: &mut Vec<RawSpan>) {
        for m in self.age.find_iter(text) {
            if leading_number(m.as_str()) <= 125 {
                out.push(RawSpan::new(m.start(), m.end(), Kind::Age, "age", 0.8));
            }
        }
        for c in self.age_cued.captures_iter(text) {
            if let Some(g) = c.get(1) {
                if num(g.as_str()) <= 125 {
                    out.push(RawSpan::new(g.start(), g.end(), Kind::Age, "age after 'aged'", 0.85));
                }
            }
        }
    }

    fn hospital_numbers(&self, text: &str, out: &mut Vec<RawSpan>) {
        for c in self.mrn_shape.captures_iter(text) {
            let (Some(m), Some(prefix)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if !TICKET_PREFIXES.contains(&prefix.as_str()) {
                out.push(RawSpan::new(
                    m.start(),
                    m.end(),
                    Kind::HospitalNumber,
                    "letters and 6-8 digits (MRN shape)",
                    0.6,
                ));
            }
        }
        for c in self.mrn_cued.captures_iter(text) {
            if let Some(g) = c.get(1) {
                out.push(RawSpan::new(
                    g.start(),
                    g.end(),
                    Kind::HospitalNumber,
                    "number after a hospital-number cue",
                    0.9,
                ));
            }
        }
    }

    fn addresses(&self, text: &str, postcodes: &[(usize, usize)], out: &mut Vec<RawSpan>) {
        for m in self.address.find_iter(text) {
            // "at 14:32 Dr Minh Park" is a time and a person, not "32 Dr Minh Park".
            let prev = text[..m.start()].chars().next_back();
            if prev.is_some_and(|c| c == ':' || c == '.' || c.is_ascii_digit()) {
                continue;
            }
            let words: Vec<&str> = m.as_str().split_whitespace().collect();
            let inner = words.get(1..words.len().saturating_sub(1)).unwrap_or(&[]);
            if inner.iter().any(|w| TITLE_WORDS.contains(&w.trim_end_matches('.'))) {
                continue;
            }
            // "6 North Dr Santos": an abbreviated street type followed by a capitalised
            // word is a title, not a street.
            let last = words.last().map_or("", |w| w.trim_end_matches('.'));
            let rest = text.get(m.end()..).unwrap_or("");
            let mut next_word = rest.strip_prefix(' ').unwrap_or("").chars();
            let titlecase =
                next_word.next().is_some_and(char::is_uppercase) && next_word.next().is_some_and(char::is_lowercase);
            if matches!(last, "Dr" | "St") && titlecase {
                continue;
            }
            let mut end = m.end();
            if let Some(t) = self.address_tail.find(text.get(end..).unwrap_or("")) {
                end += t.end();
            }
            end = extend_to_postcode(text, end, postcodes);
            out.push(RawSpan::new(
                m.start(),
                end,
                Kind::Address,
                "house number and street",
                0.85,
            ));
        }
        for m in self.address_cue.find_iter(text) {
            let start = m.end();
            let rest = text.get(start..boundary_at_or_before(text, start + 120)).unwrap_or("");
            let stop = rest.find(['\n', ';', '.', '(', ')']).unwrap_or(rest.len());
            let region_end = start + stop;
            let pc = postcodes.iter().find(|&&(s, e)| s >= start && e <= region_end + 1);
            if let Some(&(_, e)) = pc {
                out.push(RawSpan::new(
                    start,
                    e,
                    Kind::Address,
                    "address after a cue, up to the postcode",
                    0.8,
                ));
            } else if let Some(run) = self.address_run.find(text.get(start..region_end).unwrap_or("")) {
                let run_text = run.as_str().trim_end_matches([' ', '\t', ',']);
                if !run_text.is_empty() {
                    out.push(RawSpan::new(
                        start,
                        start + run_text.len(),
                        Kind::Address,
                        "address after a cue",
                        0.7,
                    ));
                }
            }
        }
        for c in self.lives_in.captures_iter(text) {
            if let Some(g) = c.get(1) {
                let place = g.as_str().trim_end();
                let end = extend_to_postcode(text, g.start() + place.len(), postcodes);
                out.push(RawSpan::new(g.start(), end, Kind::Address, "place of residence", 0.6));
            }
        }
    }
}

/// Extends an address end over ", " / " " to the end of a postcode that follows directly.
fn extend_to_postcode(text: &str, end: usize, postcodes: &[(usize, usize)]) -> usize {
    for &(s, e) in postcodes {
        if s >= end
            && s <= end + 3
            && text
                .get(end..s)
                .is_some_and(|g| g.chars().all(|c| c == ',' || c == ' ' || c == '\t'))
        {
            return e;
        }
    }
    end
}

/// Byte ranges of maximal runs of ASCII digits.
fn digit_groups(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let s = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

/// True when two digit groups belong to one written number: 1-2 separator characters
/// from space, hyphen, brackets or no-break space.
fn chain_gap(text: &str, a_end: usize, b_start: usize) -> bool {
    let Some(gap) = text.get(a_end..b_start) else {
        return false;
    };
    let n = gap.chars().count();
    (1..=2).contains(&n) && gap.chars().all(|c| matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}'))
}

/// UK phone numbers in a chain of digit groups: 0 + [1235789] + 8-9 more digits, or
/// +44 / 0044 with an optional "(0)" and 9-10 digits. No validity check, so Ofcom's
/// drama ranges (07700 900xxx, 0113 496 0xxx) are caught.
fn phones_in_chain(text: &str, chain: &[(usize, usize)], out: &mut Vec<RawSpan>) {
    let bytes = text.as_bytes();
    for a in 0..chain.len() {
        let g = &bytes[chain[a].0..chain[a].1];
        let plus = chain[a].0 > 0 && bytes[chain[a].0 - 1] == b'+';
        let international = (g == b"44" && plus) || g == b"0044";
        let national = g.len() >= 2 && g[0] == b'0' && b"1235789".contains(&g[1]);
        let mut best: Option<usize> = None;
        if international {
            let mut national_digits: Vec<u8> = Vec::new();
            for (b, grp) in chain.iter().enumerate().skip(a + 1) {
                let mut d = &bytes[grp.0..grp.1];
                if national_digits.is_empty() && d.first() == Some(&b'0') {
                    d = &d[1..]; // the trunk "0", written "(0)" or not
                }
                national_digits.extend_from_slice(d);
                let n = national_digits.len();
                if (9..=10).contains(&n) && b"1235789".contains(&national_digits[0]) {
                    best = Some(b);
                }
                if n >= 10 {
                    break;
                }
            }
        } else if national {
            let mut n = 0;
            for (b, grp) in chain.iter().enumerate().skip(a) {
                n += grp.1 - grp.0;
                if n == 10 || n == 11 {
                    best = Some(b);
                }
                if n >= 11 {
                    break;
                }
            }
        }
        if let Some(b) = best {
            // Include the "+" of "+44" or the "(" of "(0113)".
            let mut start = chain[a].0;
            if plus || (start > 0 && bytes[start - 1] == b'(') {
                start -= 1;
            }
            out.push(RawSpan::new(
                start,
                chain[b].1,
                Kind::Phone,
                "UK telephone number",
                0.85,
            ));
        }
    }
}

/// True when a dotted date is really part of a longer dotted number (a version or IP).
fn dotted_continuation(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let after = end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_digit();
    let before = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
    after || before
}

/// Parses a 2- or 4-digit year.
fn parse_year(s: &str) -> i32 {
    let n = num(s);
    if s.len() <= 2 {
        checks::expand_year(n)
    } else {
        n as i32
    }
}

/// Parses a short run of ASCII digits (saturating; non-digits are ignored).
fn num(s: &str) -> u32 {
    s.bytes().filter(u8::is_ascii_digit).fold(0u32, |acc, b| {
        acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    })
}

/// The number at the start of `s`.
fn leading_number(s: &str) -> u32 {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    num(&s[..end])
}

/// Up to `n` bytes before `pos`, cut at a char boundary and at the start of the
/// sentence or line containing `pos`, so a cue in the previous sentence does not count.
pub(crate) fn sentence_window_before(text: &str, pos: usize, n: usize) -> &str {
    let w = window_before(text, pos, n);
    &w[sentence_start_in(w)..]
}

/// Byte offset just after the last sentence or field break in `w` (0 when none):
/// a newline, ';', '|', or '.', '!' or '?' followed by a space and a capital letter.
/// "NHS No. 943..." is not a break, so abbreviations before numbers survive.
fn sentence_start_in(w: &str) -> usize {
    let b = w.as_bytes();
    let mut cut = 0;
    for i in 0..b.len() {
        let brk = match b[i] {
            b'\n' | b';' | b'|' => true,
            b'.' | b'!' | b'?' => b.get(i + 1) == Some(&b' ') && b.get(i + 2).is_some_and(u8::is_ascii_uppercase),
            _ => false,
        };
        if brk {
            cut = i + 1;
        }
    }
    cut
}

/// Byte offset of the first sentence or field break in `w` (its length when none).
fn sentence_end_in(w: &str) -> usize {
    let b = w.as_bytes();
    (0..b.len())
        .find(|&i| match b[i] {
            b'\n' | b';' | b'|' => true,
            b'.' | b'!' | b'?' => b.get(i + 1) == Some(&b' ') && b.get(i + 2).is_some_and(u8::is_ascii_uppercase),
            _ => false,
        })
        .unwrap_or(b.len())
}

/// Up to `n` bytes before `pos`, cut at a char boundary.
pub(crate) fn window_before(text: &str, pos: usize, n: usize) -> &str {
    let from = boundary_at_or_after(text, pos.saturating_sub(n));
    text.get(from..pos).unwrap_or("")
}

/// The nearest char boundary at or after `i` (clamped to the text).
pub(crate) fn boundary_at_or_after(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

/// The nearest char boundary at or before `i` (clamped to the text).
pub(crate) fn boundary_at_or_before(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_patterns_compile() {
        assert!(Patterns::new().is_ok());
    }
}
