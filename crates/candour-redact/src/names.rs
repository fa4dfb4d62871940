//! Name detection: lexicons plus the cues of the domain reference §4.2 (titles, roles,
//! the `SURNAME, Forename` banner, `Forename SURNAME`, initials, possessives) and
//! propagation of every name found to its other occurrences.
//!
//! The lexicon classes of a token decide how much context it needs:
//!
//! | class | meaning | needs |
//! |---|---|---|
//! | strong | in a name list, not a common or clinical word ("Adeyemi") | capitalised |
//! | ambiguous | name and common word ("Will", "Rose", "Brown") | a cue or a neighbouring name |
//! | clinical | on the clinical safe list ("Ward", "TDS") | a title or cue, if also a listed name ("Dr Ward") |
//! | unknown | in no list ("Oyelaran") | a cue or a neighbouring name |
//! | common | common word only ("Following") | a title, first position only |

use std::collections::{HashMap, HashSet};

use crate::lexicon::{self, Lexicon, CLINICAL, FIRST, LAST, NAME, SAFE};
use crate::{Kind, RawSpan};

/// Titles that may precede a name in any case ("Dr", "dr", "MR").
#[rustfmt::skip]
const TITLES_ANY_CASE: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "revd", "sr", "fr", "cllr",
];
/// Titles that are also ordinary nouns, so they count only when capitalised ("Sister Okafor").
#[rustfmt::skip]
const TITLES_CAPITALISED: &[&str] = &[
    "professor", "sister", "nurse", "reverend", "father", "dame", "sir", "lady", "lord", "master", "doctor",
    "councillor", "matron", "pastor", "imam", "rabbi", "canon", "captain", "capt", "sgt", "midwife",
];

/// Cues after which a person's name follows and lowercase names count too
/// ("pt john smith", "NOK: daughter jane").
#[rustfmt::skip]
const PERSON_CUES_LOWER: &[&[&str]] = &[
    &["patient"], &["pt"], &["pts"], &["son"], &["daughter"], &["wife"], &["husband"], &["partner"], &["mother"],
    &["father"], &["mum"], &["mam"], &["dad"], &["brother"], &["sister"], &["nok"], &["carer"], &["relative"],
    &["niece"], &["nephew"], &["grandson"], &["granddaughter"], &["grandmother"], &["grandfather"], &["aunt"],
    &["uncle"], &["cousin"], &["friend"], &["neighbour"], &["fiance"], &["fiancee"], &["name"], &["named"],
    &["surname"], &["forename"], &["forenames"], &["next", "of", "kin"], &["known", "as"], &["aka"],
    &["patient", "name"], &["full", "name"], &["care", "of"],
];

/// Cues after which a capitalised word is a person, even a place-like one
/// ("witnessed by Pauline Ward").
#[rustfmt::skip]
const PERSON_CUES: &[&[&str]] = &[
    &["colleague"], &["nurse"], &["doctor"], &["consultant"], &["registrar"], &["sho"], &["fy1"], &["fy2"],
    &["pharmacist"], &["midwife"], &["hca"], &["porter"], &["physio"], &["physiotherapist"], &["paramedic"],
    &["matron"], &["manager"], &["clinician"], &["gp"], &["surgeon"], &["anaesthetist"], &["radiographer"],
    &["technician"], &["student"], &["locum"], &["reporter"], &["handler"], &["investigator"], &["witness"],
    &["seen", "by"], &["reviewed", "by"], &["reported", "by"], &["assessed", "by"], &["admitted", "by"],
    &["prescribed", "by"], &["administered", "by"], &["given", "by"], &["checked", "by"], &["witnessed", "by"],
    &["signed", "by"], &["completed", "by"], &["entered", "by"], &["logged", "by"], &["raised", "by"],
    &["authorised", "by"], &["verified", "by"], &["attended", "by"], &["referred", "by"], &["covered", "by"],
    &["on", "behalf", "of"], &["in", "charge"], &["belongs", "to"], &["under", "the", "name"], &["by"],
];

/// Letter and email conventions: a name follows a greeting or sign-off ("Dear Priya,",
/// "Thanks, Gareth").
#[rustfmt::skip]
const GREETING_CUES: &[&[&str]] = &[
    &["hi"], &["hello"], &["dear"], &["thanks"], &["thank", "you"], &["regards"], &["kind", "regards"],
    &["best", "wishes"], &["many", "thanks"], &["cheers"], &["sincerely"],
];

/// Field labels that introduce people only when followed by a colon ("From: Anca Popa").
#[rustfmt::skip]
const FIELD_CUES: &[&[&str]] = &[
    &["from"], &["to"], &["cc"], &["attendees"], &["present"], &["author"], &["kin"], &["contact"], &["carer"],
    &["consultant"], &["registrar"], &["signed"], &["staff"],
];

/// Verbs that make the capitalised word before them a person ("Peadar lives at",
/// "Anca said"): things and systems rarely do these.
#[rustfmt::skip]
const PERSON_VERBS: &[&str] = &[
    "lives", "lived", "said", "says", "told", "rang", "phoned", "complained", "refused", "declined", "agreed",
    "felt", "fell", "died", "collapsed", "explained", "stated", "denied", "consented", "wants", "wanted", "reports",
    "remembers", "recalls", "walked", "cried",
];

/// Nouns after a possessive that make its owner a person ("Kirsteen's mother").
#[rustfmt::skip]
const PERSONAL_NOUNS: &[&str] = &[
    "mother", "father", "mum", "dad", "wife", "husband", "partner", "son", "daughter", "brother", "sister", "carer",
    "family", "children", "friend", "neighbour", "gp", "notes", "record", "records", "chart", "bloods", "results",
    "medication", "medications", "medicines", "allergies", "allergy", "dose", "doses", "care", "discharge",
    "admission", "wristband", "details", "address", "phone", "mobile", "email", "nhs", "nephew", "niece",
    "grandson", "granddaughter", "grandmother", "grandfather", "aunt", "uncle", "cousin", "fiance",
];

/// Contact verbs: usually a person follows, but it may be a place ("phoned Rowan Ward").
#[rustfmt::skip]
const CONTACT_CUES: &[&[&str]] = &[
    &["bleep"], &["bleeped"], &["called"], &["informed"], &["contacted"], &["paged"], &["rang"], &["phoned"],
    &["tell"], &["told"], &["asked"], &["alerted"], &["notified"], &["escalated", "to"], &["handed", "over", "to"],
    &["handed", "to"], &["passed", "to"], &["discussed", "with"], &["spoke", "to"], &["spoke", "with"],
    &["spoken", "to"],
];

/// Surname particles ("de Souza", "van der Berg", "ap Rhys", "Ní Bhriain", "al Hassan").
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "de", "da", "di", "du", "del", "della", "dos", "das", "van", "von", "der", "den", "ter", "le", "la", "ap", "ab",
    "ni", "nic", "bin", "ibn", "al", "el", "o", "mac", "mc", "ui",
];

/// Words that make the capitalised words just before them a place ("Rowan Ward",
/// "Queen Elizabeth Hospital"), not a person.
#[rustfmt::skip]
const PLACE_WORDS: &[&str] = &[
    "ward", "unit", "hospital", "infirmary", "surgery", "practice", "centre", "center", "clinic", "house", "wing",
    "suite", "building", "lodge", "hospice", "trust", "foundation", "college", "school", "university", "pharmacy",
    "road", "street", "avenue", "lane", "drive", "close", "court", "gardens", "theatre", "theatres", "department",
    "station", "library", "church", "block", "pavilion", "annexe", "health", "healthcare", "medical", "hospitals",
    "practices", "centres", "surgeries", "clinics", "wards",
];

/// Words before a "Ward" that make it a place ("on Rowan Ward", "phoned Keats Ward").
#[rustfmt::skip]
const PLACE_LEAD_INS: &[&str] = &[
    "on", "to", "from", "at", "in", "onto", "into", "via", "the", "and", "or", "phoned", "called", "rang",
    "contacted", "bleeped", "paged", "left", "reached", "between", "of",
];

/// System acronyms and words: the capitalised word before them is a product name.
#[rustfmt::skip]
const SYSTEM_WORDS: &[&str] = &[
    "epr", "ehr", "emr", "pas", "lims", "pacs", "ris", "ed", "emar", "epma", "app", "portal", "system", "module",
    "software", "interface", "server", "web", "cloud", "suite", "platform",
];

/// Place words that, followed by a number, are a location code ("Ward 12", "Bay 3").
#[rustfmt::skip]
const NUMBERED_PLACES: &[&str] = &[
    "ward", "bay", "bed", "room", "theatre", "cubicle", "pod", "trolley", "chair", "side",
];

/// Surname prefixes after which an internal capital is normal ("McDonald", "MacLeod").
const CAMEL_NAME_PREFIXES: &[&str] = &["Mc", "Mac", "Fitz", "De", "Di", "Da", "La", "Le", "Van", "Von", "St"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One capital letter ("A" in "A. Jones").
    Initial,
    /// All capitals, two or more letters ("SMITH").
    Upper,
    /// Capitalised ("Smith", "O'Connor", "McDonald").
    Cap,
    /// Lowercase ("smith").
    Lower,
    /// Internal capitals that look like a product name ("CareFlow", "eMAR").
    Camel,
}

#[derive(Debug)]
struct Tok {
    start: usize,
    /// End of the word, excluding a possessive "'s".
    end: usize,
    shape: Shape,
    flags: u8,
    key: String,
    possessive: bool,
    sentence_start: bool,
    /// Touches digits or symbols ("K123456", "v8"), so not a name.
    attached: bool,
    /// Inside a structured span (email, address...).
    in_struct: bool,
    /// Part of a place name ("Rowan Ward").
    place: bool,
    /// Followed directly by '.'.
    dot_after: bool,
    /// Word-class bits (`W_*`): title, place word, particle...
    class: u16,
    chars: usize,
}

impl Tok {
    fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
    fn is(&self, class: u16) -> bool {
        self.class & class != 0
    }
    fn clinical(&self) -> bool {
        self.has(CLINICAL)
    }
    /// On the clinical safe list and in no name list ("TDS", "Pharmacy").
    fn clinical_only(&self) -> bool {
        self.clinical() && !self.name()
    }
    fn name(&self) -> bool {
        self.has(NAME)
    }
    /// In a name list and on no safe list.
    fn strong(&self) -> bool {
        self.name() && !self.has(SAFE) && !self.clinical()
    }
    /// Common word that is not a name.
    fn common(&self) -> bool {
        self.has(SAFE) && !self.name()
    }
    fn unknown(&self) -> bool {
        self.flags & (NAME | SAFE | CLINICAL) == 0
    }
    fn capitalised(&self) -> bool {
        matches!(self.shape, Shape::Cap | Shape::Upper)
    }
    fn usable(&self) -> bool {
        !self.attached && !self.in_struct
    }
}

/// Word classes, looked up once per token (bits of `Tok::class`).
const W_TITLE: u16 = 1;
const W_TITLE_CAP: u16 = 1 << 1;
const W_SYSTEM: u16 = 1 << 2;
const W_PLACE: u16 = 1 << 3;
const W_NUMBERED: u16 = 1 << 4;
const W_LEAD_IN: u16 = 1 << 5;
const W_PERSONAL_NOUN: u16 = 1 << 6;
const W_PERSON_VERB: u16 = 1 << 7;
const W_PARTICLE: u16 = 1 << 8;

/// The word-class table built from the word lists above.
fn word_classes() -> HashMap<&'static str, u16> {
    let lists: [(&[&'static str], u16); 9] = [
        (TITLES_ANY_CASE, W_TITLE),
        (TITLES_CAPITALISED, W_TITLE_CAP),
        (SYSTEM_WORDS, W_SYSTEM),
        (PLACE_WORDS, W_PLACE),
        (NUMBERED_PLACES, W_NUMBERED),
        (PLACE_LEAD_INS, W_LEAD_IN),
        (PERSONAL_NOUNS, W_PERSONAL_NOUN),
        (PERSON_VERBS, W_PERSON_VERB),
        (PARTICLES, W_PARTICLE),
    ];
    let mut map = HashMap::new();
    for (list, bit) in lists {
        for w in list {
            *map.entry(*w).or_insert(0) |= bit;
        }
    }
    map
}

/// Reason recorded by the adjacency rule (which must not feed itself).
const ADJACENT: &str = "next to another name";

/// Why a token was judged a name.
#[derive(Debug, Clone, Copy)]
struct Hit {
    reason: &'static str,
    score: f32,
}

/// Finds person names. Holds the merged lexicon.
pub struct NameFinder {
    lex: &'static Lexicon,
    cues: CueIndex,
    classes: HashMap<&'static str, u16>,
}

/// Cue phrases indexed by their last word, so finding the cue before a token is one
/// hash lookup rather than a scan of every phrase. The flag says whether the phrase
/// needs a colon after it.
type CueIndex = HashMap<&'static str, Vec<(&'static [&'static str], Cue, bool)>>;

impl NameFinder {
    /// Loads the lexicons and indexes the cue phrases.
    pub fn new() -> NameFinder {
        let lists: [(&[&[&str]], Cue, bool); 5] = [
            (PERSON_CUES_LOWER, Cue::Person { lowercase: true }, false),
            (PERSON_CUES, Cue::Person { lowercase: false }, false),
            (CONTACT_CUES, Cue::Contact, false),
            (GREETING_CUES, Cue::Contact, false),
            (FIELD_CUES, Cue::Person { lowercase: false }, true),
        ];
        let mut cues: CueIndex = HashMap::new();
        for (list, cue, colon) in lists {
            for &phrase in list {
                if let Some(last) = phrase.last() {
                    cues.entry(*last).or_default().push((phrase, cue, colon));
                }
            }
        }
        NameFinder {
            lex: &lexicon::LEXICON,
            cues,
            classes: word_classes(),
        }
    }

    /// Name spans in `text` (byte offsets) and the normalised name words found.
    /// `structured` spans (sorted by start) are skipped; `extra` are names found
    /// elsewhere in the same report, to be propagated here.
    pub fn find(&self, text: &str, structured: &[RawSpan], extra: &HashSet<String>) -> (Vec<RawSpan>, HashSet<String>) {
        let toks = self.tokenise(text, structured);
        let mut hits: Vec<Option<Hit>> = vec![None; toks.len()];
        let cx = Ctx {
            text,
            toks: &toks,
            cues: &self.cues,
        };

        cx.cue_rules(&mut hits);
        cx.structure_rules(&mut hits);
        cx.lexicon_rules(&mut hits);
        cx.particle_rule(&mut hits);
        for _ in 0..2 {
            cx.adjacency_rule(&mut hits);
        }
        cx.particle_rule(&mut hits);

        let mut found: HashSet<String> = HashSet::new();
        for (t, h) in toks.iter().zip(&hits) {
            if h.is_some() && t.shape != Shape::Initial && t.key.chars().count() >= 2 {
                found.insert(t.key.clone());
            }
        }
        cx.propagate(&mut hits, &found, extra);
        (cx.spans(&hits), found)
    }

    /// Splits `text` into word tokens with their lexicon flags and context.
    fn tokenise(&self, text: &str, structured: &[RawSpan]) -> Vec<Tok> {
        let mut toks = Vec::new();
        let mut key = String::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        let mut s_idx = 0;
        while i < chars.len() {
            if !chars[i].1.is_alphabetic() {
                i += 1;
                continue;
            }
            let start_i = i;
            i += 1;
            // Letters, with single internal apostrophes or hyphens ("O'Connor", "Smith-Jones").
            while i < chars.len() {
                let c = chars[i].1;
                if c.is_alphabetic() {
                    i += 1;
                } else if matches!(c, '\'' | '’' | '-') && chars.get(i + 1).is_some_and(|n| n.1.is_alphabetic()) {
                    i += 2;
                } else {
                    break;
                }
            }
            let start = chars[start_i].0;
            let mut end_i = i;
            let full_end = chars.get(i).map_or(text.len(), |c| c.0);
            let mut end = full_end;
            // A trailing possessive "'s" is not part of the name.
            let mut possessive = false;
            if end_i - start_i > 3
                && matches!(chars[end_i - 1].1, 's' | 'S')
                && matches!(chars[end_i - 2].1, '\'' | '’')
            {
                possessive = true;
                end_i -= 2;
                end = chars[end_i].0;
            }
            let word = &text[start..end];
            let prev = start_i.checked_sub(1).map(|p| chars[p].1);
            let next = chars.get(i).map(|c| c.1);
            // "ORD-2396454", "K123456", "v8": words glued to codes are not names.
            let after_next = chars.get(i + 1).map(|c| c.1);
            let before_prev = start_i.checked_sub(2).map(|p| chars[p].1);
            let code_hyphen = (next == Some('-') && after_next.is_some_and(|c| c.is_ascii_digit()))
                || (prev == Some('-') && before_prev.is_some_and(|c| c.is_ascii_digit()));
            let attached = prev.is_some_and(attaching) || next.is_some_and(attaching) || code_hyphen;
            while s_idx < structured.len() && structured[s_idx].end <= start {
                s_idx += 1;
            }
            let in_struct = structured[s_idx..]
                .iter()
                .take_while(|s| s.start < end)
                .any(|s| s.end > start);
            let flags = self.flags_of(word, &mut key);
            let class = self.classes.get(key.as_str()).copied().unwrap_or(0);
            let shape = shape_of(word, flags);
            toks.push(Tok {
                start,
                end,
                shape,
                flags,
                key: key.clone(),
                possessive,
                sentence_start: sentence_start(text, start, toks.last()),
                attached,
                in_struct,
                place: false,
                dot_after: next == Some('.'),
                class,
                chars: end_i - start_i,
            });
        }
        mark_places(text, &mut toks);
        toks
    }

    /// Lexicon flags of a word; compound words ("Smith-Jones") combine their parts.
    fn flags_of(&self, word: &str, key: &mut String) -> u8 {
        lexicon::normalise_into(word, key);
        let whole = self.lex.flags(key);
        if whole != 0 || !word.contains(['-', '\'', '’']) {
            return whole;
        }
        let mut part_key = String::new();
        let (mut names, mut all_safe, mut any_clinical) = (0u8, true, false);
        for part in word.split(['-', '\'', '’']).filter(|p| p.chars().count() >= 2) {
            lexicon::normalise_into(part, &mut part_key);
            let f = self.lex.flags(&part_key);
            names |= f & NAME;
            all_safe &= f & SAFE != 0;
            any_clinical |= f & CLINICAL != 0;
        }
        let mut f = names;
        if all_safe {
            f |= SAFE;
        }
        if any_clinical && names == 0 {
            f |= CLINICAL;
        }
        f
    }
}

/// Characters that glue a word to a code or address rather than to prose.
fn attaching(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '@' | '_' | '/' | '\\' | '=' | '#' | '%' | '+' | '&' | '<' | '>')
}

/// The shape of a word (see [`Shape`]).
fn shape_of(word: &str, flags: u8) -> Shape {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return Shape::Lower;
    };
    let rest: Vec<char> = letters.collect();
    if rest.is_empty() {
        return if first.is_uppercase() {
            Shape::Initial
        } else {
            Shape::Lower
        };
    }
    if first.is_uppercase() && rest.iter().all(|c| !c.is_lowercase()) {
        return Shape::Upper;
    }
    // An internal capital not after an apostrophe or hyphen suggests a product name,
    // unless the word is a known name or has a surname prefix ("McDonald").
    let chars: Vec<char> = word.chars().collect();
    let internal_cap = chars
        .iter()
        .enumerate()
        .skip(1)
        .any(|(i, c)| c.is_uppercase() && !matches!(chars[i - 1], '\'' | '’' | '-'));
    let name_prefix = CAMEL_NAME_PREFIXES.iter().any(|p| word.starts_with(p));
    if first.is_uppercase() {
        if internal_cap && flags & NAME == 0 && !name_prefix {
            Shape::Camel
        } else {
            Shape::Cap
        }
    } else if internal_cap {
        Shape::Camel
    } else {
        Shape::Lower
    }
}

/// True when the token at `start` begins a sentence, line or field.
fn sentence_start(text: &str, start: usize, prev: Option<&Tok>) -> bool {
    let before = &text[..start];
    for c in before.chars().rev() {
        match c {
            ' ' | '\t' | '(' | '"' | '“' | '‘' | '[' | '\'' | '*' | '•' => continue,
            '\n' | '\r' | ':' | '!' | '?' | '|' => return true,
            '.' => {
                // "Dr. Smith" and "A. Jones" do not start a sentence.
                return !prev.is_some_and(|p| p.shape == Shape::Initial || is_title(p));
            }
            _ => return false,
        }
    }
    true
}

/// True when the token is a title word in a form that introduces a name.
fn is_title(t: &Tok) -> bool {
    t.is(W_TITLE) || (t.is(W_TITLE_CAP) && t.capitalised())
}

/// Marks capitalised words that name a place: those just before a place word
/// ("Rowan Ward", "Queen Elizabeth Hospital") and the word after "St" / "Saint".
fn mark_places(text: &str, toks: &mut [Tok]) {
    for i in 0..toks.len() {
        // "Symphony ED", "Medway PAS": a word before a system acronym names a product.
        if i > 0 && toks[i].is(W_SYSTEM) && linked(text, &toks[i - 1], &toks[i]) {
            let prev = &toks[i - 1];
            if prev.capitalised() && !is_title(prev) {
                toks[i - 1].place = true;
            }
        }
        if !toks[i].capitalised() {
            continue;
        }
        let saint = matches!(toks[i].key.as_str(), "st" | "saint");
        if saint && i + 1 < toks.len() && linked(text, &toks[i], &toks[i + 1]) {
            toks[i + 1].place = true;
        }
        if !toks[i].is(W_PLACE) {
            continue;
        }
        // "Ward 12" is a ward number; the words before it may still be a name.
        if toks[i].is(W_NUMBERED) && followed_by_number(text, toks[i].end) {
            continue;
        }
        let mut j = i;
        while j > 0 && toks[j - 1].capitalised() && linked(text, &toks[j - 1], &toks[j]) && !is_title(&toks[j - 1]) {
            j -= 1;
        }
        if j == i {
            continue;
        }
        // "Ward" is also a surname: "Pauline Ward" after "by" or "(" is a person,
        // "on Rowan Ward" is a place.
        if toks[i].key == "ward" && !place_lead_in(text, toks, j) {
            continue;
        }
        for t in &mut toks[j..=i] {
            t.place = true;
        }
    }
}

/// True when the words before token `j` introduce a place: a preposition or contact
/// verb, a number, or a field break (line start, double space).
fn place_lead_in(text: &str, toks: &[Tok], j: usize) -> bool {
    let before = &text[..toks[j].start];
    let trimmed = before.trim_end_matches(' ');
    if trimmed.is_empty() || before.len() - trimmed.len() >= 2 || trimmed.ends_with(['\n', '|', '-', '–']) {
        return true;
    }
    if trimmed.ends_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    j > 0 && toks[j - 1].end == trimmed.len() && toks[j - 1].is(W_LEAD_IN)
}

/// True when `before` ends with a signature dash ("--", "—") alone at the start of a line.
fn signature_lead(before: &str) -> bool {
    let t = before.trim_end_matches([' ', '\t']);
    let Some(rest) = t
        .strip_suffix("--")
        .or_else(|| t.strip_suffix('—'))
        .or_else(|| t.strip_suffix('–'))
    else {
        return false;
    };
    rest.trim_end_matches([' ', '\t']).is_empty() || rest.trim_end_matches([' ', '\t']).ends_with('\n')
}

/// True when a number follows `end` after optional spaces ("Ward 12", "bed 4").
fn followed_by_number(text: &str, end: usize) -> bool {
    text[end..]
        .trim_start_matches([' ', '\t'])
        .starts_with(|c: char| c.is_ascii_digit())
}

/// True when `b` directly follows `a` in the same phrase: separated by one or two
/// spaces, or for an initial by "." and optional spaces.
fn linked(text: &str, a: &Tok, b: &Tok) -> bool {
    let gap_start = if a.possessive { return false } else { a.end };
    let Some(gap) = text.get(gap_start..b.start) else {
        return false;
    };
    match gap {
        " " | "  " | "\u{a0}" => true,
        "." | ". " | ".  " => a.shape == Shape::Initial || is_title(a),
        _ => false,
    }
}

/// Whether the separator between a cue and a name is acceptable (", ", ": ", " - ", "(").
fn cue_gap(gap: &str) -> bool {
    let n = gap.chars().count();
    (1..=4).contains(&n)
        && gap
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | ':' | ',' | '-' | '–' | '('))
        && gap.chars().any(|c| c == ' ' || c == ':' || c == '(')
}

/// How a cue lets names through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// "Dr", "Mrs": any capitalised word; lowercase names after a lowercase title.
    Title { lowercase: bool },
    /// "seen by", "NOK": capitalised names or unknown words, even place-like ones;
    /// lowercase names when `lowercase`.
    Person { lowercase: bool },
    /// "phoned", "informed": capitalised names or unknown words, but not places.
    Contact,
    /// A bare "by": capitalised names or unknown words, but no clinical or product
    /// words ("rejected by Lorenzo").
    By,
}

struct Ctx<'a> {
    text: &'a str,
    toks: &'a [Tok],
    cues: &'a CueIndex,
}

impl Ctx<'_> {
    /// True when a number directly precedes or follows the word ("6 North", "May 2024",
    /// "15th May"): then a clinical word is part of a code or date, not a name.
    fn next_to_number(&self, t: &Tok) -> bool {
        let before = self.text[..t.start].trim_end_matches([' ', '\t']);
        let before = before
            .strip_suffix(['h', 't', 'd', 's'])
            .and_then(|b| b.strip_suffix(['t', 's', 'n', 'r']))
            .unwrap_or(before);
        before.ends_with(|c: char| c.is_ascii_digit()) || followed_by_number(self.text, t.end)
    }

    /// True for a place word followed by a number ("Ward 12", "bed 4").
    fn numbered_place(&self, t: &Tok) -> bool {
        t.is(W_NUMBERED) && followed_by_number(self.text, t.end)
    }

    /// The cue (if any) directly before token `i`.
    fn cue_before(&self, i: usize) -> Option<Cue> {
        let toks = self.toks;
        // An email signature: "-- Anca" at the start of a line.
        if signature_lead(&self.text[..toks[i].start]) {
            return Some(Cue::Contact);
        }
        if i == 0 {
            return None;
        }
        let p = &toks[i - 1];
        if is_title(p) && linked(self.text, p, &toks[i]) {
            return Some(Cue::Title {
                lowercase: p.shape == Shape::Lower || p.shape == Shape::Cap,
            });
        }
        let gap = self.text.get(p.end..toks[i].start).unwrap_or("");
        // "Pt. John" is fine; a cue word ending a sentence ("...another patient. Medway") is not.
        let abbreviation = p.key == "pt" && matches!(gap, ". " | ".");
        if p.possessive || !cue_gap(gap) && !abbreviation {
            return None;
        }
        if p.key == "by" && matches!(gap, " " | "  ") {
            return Some(Cue::By);
        }
        let colon = gap.contains(':');
        let candidates = self.cues.get(p.key.as_str())?;
        // ("Sister Okafor" was handled above as a title; "the sister" is a relative.)
        for &(phrase, cue, needs_colon) in candidates {
            let n = phrase.len();
            if n > i || needs_colon && !colon {
                continue;
            }
            let words = &toks[i - n..i];
            let same = words.iter().zip(phrase.iter()).all(|(t, w)| t.key == *w);
            let joined = words.windows(2).all(|w| {
                self.text
                    .get(w[0].end..w[1].start)
                    .is_some_and(|g| g.chars().all(|c| c == ' ' || c == '-'))
            });
            if same && joined {
                return Some(cue);
            }
        }
        None
    }

    /// Title and role cues: mark the name words that follow.
    fn cue_rules(&self, hits: &mut [Option<Hit>]) {
        let toks = self.toks;
        for i in 0..toks.len() {
            let Some(cue) = self.cue_before(i) else { continue };
            let (reason, score) = match cue {
                Cue::Title { .. } => ("name after a title", 0.95),
                Cue::Person { .. } => ("name after a person cue", 0.85),
                Cue::Contact => ("name after a contact cue", 0.8),
                Cue::By => ("name after 'by'", 0.75),
            };
            let mut j = i;
            let mut named = 0;
            let mut marked: Vec<usize> = Vec::new();
            while j < toks.len() && named < 4 {
                let t = &toks[j];
                if !t.usable() || (j > i && !linked(self.text, &toks[j - 1], t)) {
                    break;
                }
                let next = toks.get(j + 1).filter(|n| linked(self.text, t, n));
                if t.shape == Shape::Initial {
                    // "Dr A. Jones", "by I Reid": an initial needs a name word after it
                    // (checked below); a bare "I" or "A" must be followed by one.
                    let bare_word = matches!(t.key.as_str(), "i" | "a") && !t.dot_after;
                    if bare_word && !next.is_some_and(|n| n.capitalised() && (n.name() || n.unknown())) {
                        break;
                    }
                    marked.push(j);
                    j += 1;
                    continue;
                }
                if let Some(k) = self.particle_run(j) {
                    // "by J. van der Berg": particles join the surname that follows.
                    let q = &toks[k];
                    if q.capitalised() && self.cue_accepts(cue, q, false, None) {
                        marked.extend(j..k);
                        j = k;
                        continue;
                    }
                    // "pt lotte de vries": in a lowercase name the surname may be any word.
                    let lowercase_cue = matches!(cue, Cue::Title { lowercase: true } | Cue::Person { lowercase: true });
                    if lowercase_cue && named > 0 && q.shape == Shape::Lower && q.usable() && !q.clinical_only() {
                        marked.extend(j..=k);
                        named += 1;
                        j = k + 1;
                        continue;
                    }
                }
                // "NOK: daughter jane": a cue word inside the chain starts its own chain.
                if t.shape == Shape::Lower && self.cues.contains_key(t.key.as_str()) {
                    break;
                }
                if !self.cue_accepts(cue, t, named == 0, next) {
                    break;
                }
                marked.push(j);
                named += 1;
                if t.possessive {
                    break;
                }
                j += 1;
            }
            // Initials alone after a cue are not a name ("patient A").
            if named > 0 {
                for m in marked {
                    hits[m] = Some(Hit { reason, score });
                }
            }
        }
    }

    /// Whether token `t`, after cue `cue`, is a name word.
    fn cue_accepts(&self, cue: Cue, t: &Tok, first: bool, next: Option<&Tok>) -> bool {
        let clinical_only = t.clinical_only();
        let numbered = self.numbered_place(t);
        if t.capitalised() {
            if clinical_only || numbered {
                return false;
            }
            return match cue {
                // The first word after a title is a name even if it is a common word ("Mr Bean").
                Cue::Title { .. } => first || !t.common(),
                Cue::Person { .. } => !t.common(),
                Cue::Contact => !t.common() && !t.place,
                Cue::By => !t.common() && !t.place && !t.clinical(),
            };
        }
        if t.shape != Shape::Lower || clinical_only || t.common() || t.chars < 2 {
            return false;
        }
        let lowercase = match cue {
            Cue::Title { lowercase } | Cue::Person { lowercase } => lowercase,
            Cue::Contact | Cue::By => false,
        };
        if !lowercase {
            return t.strong();
        }
        // "pt will be reviewed" is not a name, but "nok son rose hall" is: an ambiguous
        // first word needs a listed surname after it.
        let ambiguous = t.has(SAFE) || t.clinical();
        if ambiguous && first {
            return next.is_some_and(|n| n.shape == Shape::Lower && n.has(LAST) && !n.clinical_only());
        }
        // An unlisted lowercase word is a name only as part of a longer name
        // ("pt zhiwei guo"), not alone ("patient wbc").
        let more = next.is_some_and(|n| n.shape == Shape::Lower && !n.common() && !n.clinical_only());
        t.name() || t.chars >= 3 && (!first || more)
    }

    /// Banner `SURNAME, Forename`, `Forename SURNAME`, `SURNAME Forename` and initials.
    fn structure_rules(&self, hits: &mut [Option<Hit>]) {
        let toks = self.toks;
        let banner_ok =
            |t: &Tok| t.usable() && !t.place && !t.common() && (t.name() || t.unknown()) && !self.numbered_place(t);
        for i in 0..toks.len().saturating_sub(1) {
            let (a, b) = (&toks[i], &toks[i + 1]);
            let gap = self.text.get(a.end..b.start).unwrap_or("");
            // SMITH, John (the EPR banner convention)
            if a.shape == Shape::Upper
                && !a.possessive
                && matches!(gap, ", " | "," | ",  ")
                && b.capitalised()
                && banner_ok(a)
                && banner_ok(b)
            {
                let hit = Some(Hit {
                    reason: "SURNAME, Forename banner",
                    score: 0.9,
                });
                hits[i] = hit;
                hits[i + 1] = hit;
                let mut j = i + 2;
                // Middle names, and short given-name parts that are also words ("ZHANG, Li Na").
                while j < toks.len()
                    && linked(self.text, &toks[j - 1], &toks[j])
                    && toks[j].capitalised()
                    && (banner_ok(&toks[j]) && toks[j].name()
                        || toks[j].shape == Shape::Cap && toks[j].chars <= 3 && toks[j].usable())
                {
                    hits[j] = hit;
                    j += 1;
                }
                continue;
            }
            if linked(self.text, a, b) {
                // John SMITH
                let fore_sur = a.shape == Shape::Cap
                    && a.has(FIRST)
                    && a.usable()
                    && b.shape == Shape::Upper
                    && banner_ok(b)
                    && !b.clinical()
                    && !a.place;
                // SMITH John
                let sur_fore = a.shape == Shape::Upper
                    && banner_ok(a)
                    && !a.clinical()
                    && a.name()
                    && b.shape == Shape::Cap
                    && b.has(FIRST)
                    && b.usable()
                    && !b.common()
                    && !b.place;
                if fore_sur || sur_fore {
                    let hit = Some(Hit {
                        reason: "forename and capitalised surname",
                        score: 0.85,
                    });
                    hits[i] = hit;
                    hits[i + 1] = hit;
                    continue;
                }
            }
            // Initials: "A. Jones", "J.P. Smith", "A Jones"
            if a.shape == Shape::Initial && a.usable() && (a.key != "i" || a.dot_after) {
                let mut j = i;
                while j + 1 < toks.len() && toks[j].shape == Shape::Initial && linked(self.text, &toks[j], &toks[j + 1])
                {
                    j += 1;
                }
                let dotted = toks[i..j].iter().all(|t| t.dot_after);
                let mut k = j;
                if let Some(after) = self.particle_run(j) {
                    if dotted || !matches!(a.key.as_str(), "a" | "i") {
                        k = after; // "J. van der Berg", "L de Vries"
                    }
                }
                let s = &toks[k];
                let listed_clinical = s.clinical()
                    && s.name()
                    && (dotted || !matches!(a.key.as_str(), "a" | "i"))
                    && !self.numbered_place(s);
                let via_particle = k > j;
                if k > i
                    && s.usable()
                    && s.capitalised()
                    && !s.place
                    && (!s.clinical() || listed_clinical)
                    && (!s.common() || via_particle)
                {
                    let j = k;
                    let plain_a = a.key == "a" && !a.dot_after;
                    let ok = if plain_a {
                        s.strong()
                    } else {
                        s.name() || via_particle || (s.unknown() && s.shape == Shape::Cap)
                    };
                    if ok {
                        for h in hits.iter_mut().take(j + 1).skip(i) {
                            *h = Some(Hit {
                                reason: "initial and surname",
                                score: 0.85,
                            });
                        }
                    }
                }
            }
        }
    }

    /// Possessives and capitalised words from the name lists.
    fn lexicon_rules(&self, hits: &mut [Option<Hit>]) {
        let toks = self.toks;
        for (i, t) in toks.iter().enumerate() {
            if hits[i].is_some() || !t.usable() || t.place {
                continue;
            }
            let cap = t.shape == Shape::Cap || (t.shape == Shape::Upper && t.chars >= 3);
            if !cap {
                continue;
            }
            let next = toks.get(i + 1);

            let gap_ok = next.is_some_and(|n| {
                self.text
                    .get(t.end..n.start)
                    .is_some_and(|g| matches!(g, " " | "'s " | "’s "))
            });
            let personal = t.possessive && gap_ok && next.is_some_and(|n| n.is(W_PERSONAL_NOUN));
            let acts = !t.possessive && gap_ok && next.is_some_and(|n| n.is(W_PERSON_VERB));
            if (personal || acts) && (t.name() || t.unknown()) && t.shape == Shape::Cap && !self.numbered_place(t) {
                hits[i] = Some(Hit {
                    reason: "capitalised word used of a person",
                    score: 0.65,
                });
            } else if t.possessive && !t.clinical() && !t.common() && (t.name() || !t.sentence_start) {
                hits[i] = Some(Hit {
                    reason: "possessive of a capitalised name",
                    score: 0.75,
                });
            } else if t.strong() {
                let score = if t.sentence_start { 0.55 } else { 0.7 };
                hits[i] = Some(Hit {
                    reason: "capitalised word in the name lists",
                    score,
                });
            } else if (t.has(SAFE) && t.has(FIRST) || t.unknown() && t.chars >= 3)
                && !t.clinical()
                && !t.sentence_start
                && t.shape == Shape::Cap
            {
                // "Will Brown", "Bilal Barzani", "Bláthnaid Breathnach": an ambiguous or
                // unknown capitalised word followed by a listed or unknown surname.
                if let Some(n) = toks.get(i + 1) {
                    if n.shape == Shape::Cap
                        && (n.has(LAST) || n.unknown() && n.chars >= 3)
                        && !n.clinical()
                        && n.usable()
                        && !n.place
                        && linked(self.text, t, n)
                    {
                        let hit = Some(Hit {
                            reason: "first name and surname",
                            score: 0.65,
                        });
                        hits[i] = hit;
                        hits[i + 1] = hit;
                    }
                }
            }
        }
    }

    /// Ambiguous, unknown or clinical-but-listed capitalised words next to a name
    /// ("Rose Adeyemi", "Chloë Ng"), and short words between two names ("Li Na Wang").
    fn adjacency_rule(&self, hits: &mut [Option<Hit>]) {
        let toks = self.toks;
        let hit_at = |hits: &[Option<Hit>], j: usize| hits[j].is_some_and(|h| h.reason != ADJACENT);
        for i in 0..toks.len() {
            let t = &toks[i];
            if hits[i].is_some() || !t.usable() || t.place || !t.capitalised() || t.possessive && t.common() {
                continue;
            }
            let prev = i > 0
                && hit_at(hits, i - 1)
                && toks[i - 1].shape != Shape::Initial
                && linked(self.text, &toks[i - 1], t);
            // An initial starts a name, so the word before it is not part of that name.
            let next = i + 1 < toks.len()
                && hit_at(hits, i + 1)
                && toks[i + 1].shape != Shape::Initial
                && linked(self.text, t, &toks[i + 1]);
            if !prev && !next {
                continue;
            }
            // A clinical word that is also a name ("Chloë Ng", "Thu Hoang") joins a name,
            // unless it is an acronym ("SAU") or part of a code or date ("Ward 6 North").
            let listed_clinical = t.clinical() && t.name() && t.shape == Shape::Cap && !self.next_to_number(t);
            // A word that is also a common word must fit its position: a first name
            // before a name, a surname after one ("Later Ward said" is not a name).
            let ambiguous = t.has(SAFE) && t.name();
            let fits = !ambiguous || (next && t.has(FIRST) || prev && t.has(LAST)) || !t.sentence_start && !next;
            let eligible = if t.clinical() || t.common() {
                listed_clinical || (prev && next && t.chars <= 3)
            } else {
                fits
            };
            if eligible {
                hits[i] = Some(Hit {
                    reason: ADJACENT,
                    score: 0.6,
                });
            }
        }
    }

    /// When token `j` starts a run of surname particles followed by a linked word,
    /// the index of that word ("van der Berg" → "Berg").
    fn particle_run(&self, j: usize) -> Option<usize> {
        let toks = self.toks;
        let mut k = j;
        while k < toks.len() && toks[k].is(W_PARTICLE) && toks[k].usable() && toks[k].shape != Shape::Camel {
            if k + 1 >= toks.len() || !linked(self.text, &toks[k], &toks[k + 1]) {
                return None;
            }
            k += 1;
        }
        (k > j && k < toks.len()).then_some(k)
    }

    /// Surname particles joined to a name ("Ana De Souza", "de Vries", "DE SOUZA, Ana").
    fn particle_rule(&self, hits: &mut [Option<Hit>]) {
        let toks = self.toks;
        let mut i = 0;
        while i < toks.len() {
            let p = &toks[i];
            if !p.is(W_PARTICLE) || !p.usable() || p.shape == Shape::Camel {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < toks.len() && toks[j + 1].is(W_PARTICLE) && linked(self.text, &toks[j], &toks[j + 1]) {
                j += 1;
            }
            let Some(q) = toks.get(j + 1).filter(|q| linked(self.text, &toks[j], q)) else {
                i = j + 1;
                continue;
            };
            // The word after a particle is a surname even when it is also a word ("de Vries").
            let q_ok = q.capitalised() && q.usable() && !q.clinical_only() && !q.place;
            let prev_hit = i > 0 && hits[i - 1].is_some() && linked(self.text, &toks[i - 1], p);
            let standalone = match p.shape {
                Shape::Lower => true,
                _ => q.name() || q.unknown(),
            };
            // "Peadar Ó Ceallaigh": a particle between two capitalised words joins a name.
            let between = i > 0 && {
                let f = &toks[i - 1];
                f.capitalised() && f.usable() && !f.common() && !f.clinical() && !f.place && linked(self.text, f, p)
            };
            if q_ok && (hits[j + 1].is_some() || prev_hit || standalone || between) {
                let from = if between { i - 1 } else { i };
                for h in hits.iter_mut().take(j + 2).skip(from) {
                    if h.is_none() {
                        *h = Some(Hit {
                            reason: "surname with a particle",
                            score: 0.75,
                        });
                    }
                }
            }
            i = j + 2;
        }
    }

    /// Marks every other occurrence of a name word found in this text or report.
    fn propagate(&self, hits: &mut [Option<Hit>], found: &HashSet<String>, extra: &HashSet<String>) {
        if found.is_empty() && extra.is_empty() {
            return;
        }
        for (i, t) in self.toks.iter().enumerate() {
            if hits[i].is_some() || !t.usable() || t.place || t.shape == Shape::Initial || t.chars < 2 {
                continue;
            }
            if !(found.contains(&t.key) || extra.contains(&t.key)) {
                continue;
            }
            // Common and clinical words propagate only in capitalised form ("Will" but not
            // "will"), and never to a numbered place ("Ward 12").
            if (t.has(SAFE) || t.clinical()) && !t.capitalised() {
                continue;
            }
            if self.numbered_place(t) || t.clinical() && self.next_to_number(t) {
                continue; // "Ward 12", "15th May 2025"
            }
            hits[i] = Some(Hit {
                reason: "same word as a name found elsewhere in the report",
                score: 0.75,
            });
        }
    }

    /// Name spans: consecutive name words joined by spaces become one span; an initial
    /// includes its full stop.
    fn spans(&self, hits: &[Option<Hit>]) -> Vec<RawSpan> {
        let mut out: Vec<RawSpan> = Vec::new();
        for (t, h) in self.toks.iter().zip(hits) {
            let Some(h) = h else { continue };
            let end = if t.shape == Shape::Initial && t.dot_after {
                t.end + 1
            } else {
                t.end
            };
            if let Some(last) = out.last_mut() {
                let gap = self.text.get(last.end..t.start).unwrap_or("x");
                if gap.chars().all(|c| c == ' ' || c == '\u{a0}') && gap.chars().count() <= 2 {
                    last.end = end;
                    if h.score > last.score {
                        last.score = h.score;
                        last.reason = h.reason;
                    }
                    continue;
                }
            }
            out.push(RawSpan::new(t.start, end, Kind::Name, h.reason, h.score));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let f = NameFinder::new();
        let (spans, _) = f.find(text, &[], &HashSet::new());
        spans.iter().map(|s| text[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape_of("CareFlow", 0), Shape::Camel);
        assert_eq!(shape_of("eMAR", 0), Shape::Camel);
        assert_eq!(shape_of("McDonald", 0), Shape::Cap);
        assert_eq!(shape_of("O'Connor", NAME), Shape::Cap);
        assert_eq!(shape_of("SMITH", NAME), Shape::Upper);
        assert_eq!(shape_of("A", 0), Shape::Initial);
    }

    #[test]
    fn cue_and_structure_rules() {
        assert_eq!(names("Seen by Dr Priya Patel on the ward."), vec!["Priya Patel"]);
        assert_eq!(names("SMITH, John (Mr) was admitted."), vec!["SMITH", "John"]);
        assert_eq!(names("Letter from Dr A. Jones today."), vec!["A. Jones"]);
        assert_eq!(
            names("The results of Mr Oluwaseun Adeyemi's bloods."),
            vec!["Oluwaseun Adeyemi"]
        );
        assert_eq!(names("nok: daughter jane smith aware"), vec!["jane smith"]);
        assert_eq!(
            names("Nurse practitioner reviewed the chart on Rowan Ward, bed 12, bay 3 at 14:30."),
            Vec::<String>::new()
        );
    }
}
