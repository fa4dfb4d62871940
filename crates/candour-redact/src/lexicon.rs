//! Embedded word lists (name lexicons and safe-word lists) in one shared lookup table.
//!
//! Every list is a plain text file under `data/`, one lowercase word a line, sorted by
//! byte value. They are compiled in with `include_str!` and merged at start-up into one
//! hash table of `&'static str → flags` (no word is copied), so a lookup is one hash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// The word is a first name (philter-lite `firstnames` or the UK supplement).
pub const FIRST: u8 = 1;
/// The word is a surname (philter-lite `lastnames` or the UK supplement).
pub const LAST: u8 = 2;
/// The word is a common, non-name word (philter-lite `nonames` whitelist).
pub const SAFE: u8 = 4;
/// The word is clinical or IT vocabulary that must be kept (Candour's curated list).
pub const CLINICAL: u8 = 8;
/// Either kind of name.
pub const NAME: u8 = FIRST | LAST;

const PHILTER_FIRST: &str = include_str!("../data/philter-firstnames.txt");
const PHILTER_LAST: &str = include_str!("../data/philter-surnames.txt");
const PHILTER_SAFE: &str = include_str!("../data/philter-safewords.txt");
const UK_FIRST: &str = include_str!("../data/uk-firstnames.txt");
const UK_LAST: &str = include_str!("../data/uk-surnames.txt");
const CLINICAL_SAFE: &str = include_str!("../data/clinical-safe.txt");

/// The process-wide lexicon, built on first use and shared by every `Redactor`.
pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

/// A lexicon mapping lowercase words to flag bits.
pub struct Lexicon {
    words: HashMap<&'static str, u8, BuildHasherDefault<FxHasher>>,
}

impl Lexicon {
    /// Loads every embedded list (about 450,000 words; tens of milliseconds).
    pub fn load() -> Lexicon {
        let lists: [(&'static str, u8); 6] = [
            (PHILTER_FIRST, FIRST),
            (UK_FIRST, FIRST),
            (PHILTER_LAST, LAST),
            (UK_LAST, LAST),
            (PHILTER_SAFE, SAFE),
            (CLINICAL_SAFE, CLINICAL),
        ];
        let total = lists.iter().map(|(t, _)| t.len() / 8).sum();
        let mut words: HashMap<&'static str, u8, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(total, BuildHasherDefault::default());
        for (text, flag) in lists {
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                *words.entry(line).or_insert(0) |= flag;
            }
        }
        Lexicon { words }
    }

    /// Flag bits for a normalised (lowercase, apostrophe-free) word; 0 when unknown.
    pub fn flags(&self, key: &str) -> u8 {
        self.words.get(key).copied().unwrap_or(0)
    }

    /// Number of distinct words.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.words.len()
    }
}

/// The Fx hash (as used inside rustc): a multiply-rotate hash that is much faster than
/// SipHash for short keys. Keys here are fixed, embedded words, not attacker input, so
/// hash-flooding resistance is not needed.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Writes the lookup key for `word` into `out`: lowercase, apostrophes removed, common
/// Latin diacritics folded ("Zoë" → "zoe", "Łukasz" → "lukasz"), since the lists are ASCII.
pub fn normalise_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.chars() {
        match c {
            '\'' | '’' | '‘' | '`' => {}
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => {
                for l in c.to_lowercase() {
                    match fold(l) {
                        Some(s) => out.push_str(s),
                        None => out.push(l),
                    }
                }
            }
        }
    }
}

/// ASCII replacement for a lowercase accented Latin letter.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'į' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_flags() {
        let lx = Lexicon::load();
        assert!(lx.len() > 400_000);
        assert!(lx.flags("adeyemi") & NAME != 0);
        assert!(lx.flags("priya") & FIRST != 0);
        assert!(lx.flags("patel") & LAST != 0);
        assert!(lx.flags("the") & SAFE != 0);
        assert!(lx.flags("tds") & (SAFE | CLINICAL) != 0);
        assert_eq!(lx.flags("amoxicillin") & NAME, 0);
        // Ambiguous words are both names and common words.
        let will = lx.flags("will");
        assert!(will & NAME != 0 && will & SAFE != 0);
        assert_eq!(lx.flags("zzqqxx"), 0);
    }

    #[test]
    fn embedded_lists_are_sorted_lowercase() {
        for text in [
            PHILTER_FIRST,
            PHILTER_LAST,
            PHILTER_SAFE,
            UK_FIRST,
            UK_LAST,
            CLINICAL_SAFE,
        ] {
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines.windows(2).all(|w| w[0] < w[1]), "list not sorted/unique");
            assert!(lines.iter().all(|l| l.to_lowercase() == *l && !l.is_empty()));
        }
    }

    #[test]
    fn normalises() {
        let mut s = String::new();
        normalise_into("O'Connor", &mut s);
        assert_eq!(s, "oconnor");
        normalise_into("Zoë", &mut s);
        assert_eq!(s, "zoe");
        normalise_into("Łukasz", &mut s);
        assert_eq!(s, "lukasz");
        normalise_into("Wiśniewska", &mut s);
        assert_eq!(s, "wisniewska");
    }
}
