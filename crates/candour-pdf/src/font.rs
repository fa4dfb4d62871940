//! The two standard fonts this crate sets text in, Helvetica and Helvetica-Bold, with WinAnsiEncoding
//! (Windows-1252): character encoding, glyph advance widths and line wrapping.
//!
//! The widths are Adobe's published core-14 font metrics (the Helvetica and Helvetica-Bold AFM files),
//! in 1/1000 em, for WinAnsi codes 32–255. Every conforming PDF reader carries these two fonts, so
//! nothing is embedded and the metrics are fixed.

/// One of the two fonts the renderer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Regular,
    Bold,
}

/// Charged for a code the table has no glyph for (the width of a digit).
const DEFAULT_WIDTH: u16 = 556;

/// Helvetica, WinAnsi codes 32..=255.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    // 0x20
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    // 0x30
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    // 0x40
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    // 0x50
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    // 0x60
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    // 0x70 (0x7F has no glyph)
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 556,
    // 0x80 (0x81, 0x8D, 0x8F have no glyph)
    556, 556, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 556, 611, 556,
    // 0x90 (0x90, 0x9D have no glyph)
    556, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 556, 500, 667,
    // 0xA0
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    // 0xB0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    // 0xC0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    // 0xD0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    // 0xE0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    // 0xF0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold, WinAnsi codes 32..=255.
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    // 0x20
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    // 0x30
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    // 0x40
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    // 0x50
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    // 0x60
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    // 0x70 (0x7F has no glyph)
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 556,
    // 0x80 (0x81, 0x8D, 0x8F have no glyph)
    556, 556, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 556, 611, 556,
    // 0x90 (0x90, 0x9D have no glyph)
    556, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 556, 500, 667,
    // 0xA0
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    // 0xB0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    // 0xC0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    // 0xD0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    // 0xE0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    // 0xF0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

impl Font {
    /// The PostScript name of the standard font.
    pub fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    /// The advance widths for codes 32..=255, as a PDF `/Widths` array wants them.
    pub fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// The advance width of one WinAnsi code, in 1/1000 em.
    #[inline]
    pub fn code_width(self, code: u8) -> u16 {
        match code {
            0x20..=0xFF => self.widths()[usize::from(code - 0x20)],
            _ => DEFAULT_WIDTH,
        }
    }

    /// The width of WinAnsi-encoded text in 1/1000 em.
    #[inline]
    pub fn units(self, encoded: &[u8]) -> u32 {
        encoded.iter().map(|&b| u32::from(self.code_width(b))).sum()
    }

    /// The width in points of WinAnsi-encoded text set at `size` points.
    pub fn width_encoded(self, encoded: &[u8], size: f32) -> f32 {
        self.units(encoded) as f32 * size / 1000.0
    }

    /// The width in points of `text` set at `size` points.
    pub fn width(self, text: &str, size: f32) -> f32 {
        self.width_encoded(&encode(text), size)
    }
}

/// The Windows-1252 codes 0x80..=0x9F, by Unicode scalar; `None` where the code is unassigned.
const WIN_ANSI_HIGH: [Option<char>; 32] = [
    Some('\u{20AC}'), // 0x80 euro
    None,
    Some('\u{201A}'), // single low-9 quote
    Some('\u{0192}'), // florin
    Some('\u{201E}'), // double low-9 quote
    Some('\u{2026}'), // ellipsis
    Some('\u{2020}'), // dagger
    Some('\u{2021}'), // double dagger
    Some('\u{02C6}'), // circumflex
    Some('\u{2030}'), // per mille
    Some('\u{0160}'), // S caron
    Some('\u{2039}'), // single left angle quote
    Some('\u{0152}'), // OE
    None,
    Some('\u{017D}'), // Z caron
    None,
    None,             // 0x90
    Some('\u{2018}'), // left single quote
    Some('\u{2019}'), // right single quote
    Some('\u{201C}'), // left double quote
    Some('\u{201D}'), // right double quote
    Some('\u{2022}'), // bullet
    Some('\u{2013}'), // en dash
    Some('\u{2014}'), // em dash
    Some('\u{02DC}'), // small tilde
    Some('\u{2122}'), // trade mark
    Some('\u{0161}'), // s caron
    Some('\u{203A}'), // single right angle quote
    Some('\u{0153}'), // oe
    None,
    Some('\u{017E}'), // z caron
    Some('\u{0178}'), // Y diaeresis
];

/// What one character becomes in WinAnsi: `None` to drop it (a carriage return, a zero-width
/// character), `Some(b'\n')` for a hard line break, `Some(b' ')` for any other whitespace, and `b'?'`
/// for anything the encoding cannot carry.
pub fn encode_char(c: char) -> Option<u8> {
    match c {
        '\n' => Some(b'\n'),
        '\r' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        ' '..='~' => Some(c as u8),
        '\u{A0}'..='\u{FF}' => Some(c as u32 as u8),
        c if c.is_whitespace() => Some(b' '),
        c => Some(
            WIN_ANSI_HIGH
                .iter()
                .position(|&h| h == Some(c))
                .map_or(b'?', |i| 0x80 + i as u8),
        ),
    }
}

/// `text` in WinAnsi (Windows-1252); see [`encode_char`].
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(b) = encode_char(c) {
            out.push(b);
        }
    }
    out
}

/// WinAnsi bytes back to text (for tests and callers that want strings).
pub fn decode(encoded: &[u8]) -> String {
    encoded
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => WIN_ANSI_HIGH[usize::from(b - 0x80)].unwrap_or('?'),
            _ => char::from(b),
        })
        .collect()
}

/// `text` broken into lines no wider than `width` points when set in `font` at `size` points.
///
/// Breaks at spaces; a newline is a hard break (so a blank line survives); a word wider than the line is
/// broken between characters. Always at least one line (empty for empty text). A line exceeds `width`
/// only when a single character is wider than it.
pub fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    wrap_encoded(&encode(text), font, size, width)
        .iter()
        .map(|l| decode(l))
        .collect()
}

/// [`wrap`] on text already in WinAnsi.
pub fn wrap_encoded(encoded: &[u8], font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    // Compare in font units; the small tolerance absorbs float rounding at an exact fit.
    let limit = if size > 0.0 {
        (width.max(0.0) * 1000.0 / size + 0.01) as u32
    } else {
        u32::MAX
    };
    let space = u32::from(font.code_width(b' '));
    let mut lines = Vec::new();
    for hard in encoded.split(|&b| b == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        let mut line_w = 0u32;
        for word in hard.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
            let word_w = font.units(word);
            if !line.is_empty() {
                if line_w + space + word_w <= limit {
                    line.push(b' ');
                    line.extend_from_slice(word);
                    line_w += space + word_w;
                    continue;
                }
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            if word_w <= limit {
                line.extend_from_slice(word);
                line_w = word_w;
                continue;
            }
            // Longer than a line: break it between characters, at least one per line.
            for &b in word {
                let w = u32::from(font.code_width(b));
                if !line.is_empty() && line_w + w > limit {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                line.push(b);
                line_w += w;
            }
        }
        lines.push(line);
    }
    lines
}

/// The width in points of the widest word (run without spaces) in encoded text.
pub(crate) fn widest_word(encoded: &[u8], font: Font, size: f32) -> f32 {
    let units = encoded
        .split(|&b| b == b' ' || b == b'\n')
        .map(|w| font.units(w))
        .max()
        .unwrap_or(0);
    units as f32 * size / 1000.0
}

/// The width in points of the widest hard line in encoded text.
pub(crate) fn widest_line(encoded: &[u8], font: Font, size: f32) -> f32 {
    let units = encoded.split(|&b| b == b'\n').map(|w| font.units(w)).max().unwrap_or(0);
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_widths_match_the_afm() {
        assert_eq!(Font::Regular.code_width(b' '), 278);
        assert_eq!(Font::Regular.code_width(b'A'), 667);
        assert_eq!(Font::Regular.code_width(b'i'), 222);
        assert_eq!(Font::Regular.code_width(b'W'), 944);
        assert_eq!(Font::Bold.code_width(b'i'), 278);
        assert_eq!(Font::Bold.code_width(b'@'), 975);
        assert_eq!(Font::Regular.code_width(b'~'), 584);
        assert!((Font::Regular.width("Hello", 10.0) - 22.78).abs() < 0.001);
    }

    #[test]
    fn encodes_win_ansi_and_replaces_the_rest() {
        assert_eq!(
            encode("£5 — “café” – ‘x’ €"),
            b"\xA35 \x97 \x93caf\xE9\x94 \x96 \x91x\x92 \x80"
        );
        assert_eq!(encode("a\u{2192}b\u{1F600}c"), b"a?b?c");
        assert_eq!(encode("a\r\nb\tc\u{2003}d\u{200B}e"), b"a\nb c de");
        assert_eq!(encode("bell\u{7}"), b"bell?");
        assert_eq!(decode(&encode("£ — “é” •")), "£ — “é” •");
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let text = "The system shall display the patient's NHS number, date of birth and full name on every \
                    screen where a clinical decision may be made, so that the wrong-patient hazard is controlled. \
                    WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW iiii mmmmmmmm.";
        for font in [Font::Regular, Font::Bold] {
            for width in [30.0_f32, 57.3, 100.0, 212.5, 480.0] {
                let lines = wrap(text, font, 10.0, width);
                for l in &lines {
                    assert!(font.width(l, 10.0) <= width + 0.001, "{l:?} wider than {width}");
                    assert!(!l.is_empty());
                }
                // Nothing lost: the words come back in order.
                let joined: String = lines.concat();
                let squashed: String = text.split_whitespace().collect();
                assert_eq!(joined.replace(' ', ""), squashed);
            }
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken() {
        let word = "Pneumonoultramicroscopicsilicovolcanoconiosis";
        let width = 60.0;
        assert!(Font::Regular.width(word, 10.0) > width);
        let lines = wrap(&format!("a {word} b"), Font::Regular, 10.0, width);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines[0], "a");
        assert_eq!(lines.concat().replace(' ', ""), format!("a{word}b"));
        for l in &lines {
            assert!(Font::Regular.width(l, 10.0) <= width);
        }
    }

    #[test]
    fn wrap_keeps_hard_breaks_and_handles_empty_text() {
        assert_eq!(wrap("", Font::Regular, 10.0, 100.0), vec![String::new()]);
        assert_eq!(wrap("one\n\ntwo", Font::Regular, 10.0, 100.0), vec!["one", "", "two"]);
        assert_eq!(wrap("  spaced   out  ", Font::Regular, 10.0, 500.0), vec!["spaced out"]);
        // A single character wider than the line still makes progress.
        assert_eq!(wrap("WW", Font::Regular, 10.0, 1.0), vec!["W", "W"]);
    }
}
