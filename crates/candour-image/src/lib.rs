//! Screenshot redaction for Candour.
//!
//! [`redact`] decodes an image strictly ([`decode`]), reads its words with an [`Ocr`] engine, rebuilds
//! the lines from the word geometry, runs the text engine (`candour-redact`) over them together with the
//! report's own text (so a name typed in the narrative is found in the screenshot too), and covers every
//! identifier with a **solid** box padded by a few pixels. Two fail-closed rules add boxes the text
//! engine would not: any word with a digit that the OCR read with low confidence, and everything after a
//! label such as "NHS No", "DOB", "Name" or "Address" on the same line. The result is re-encoded as PNG
//! from the pixels alone (no metadata). The OCR words are never returned or stored: only the boxes and
//! why each was drawn.
//!
//! Never pixelate or blur: that is reversible (Depix). A box is opaque black.

pub mod decode;
pub mod ocr;
pub mod synth;

use candour_redact::Redactor;
pub use decode::{decode, encode_png, DecodeError, Limits};
use image::{Rgb, RgbImage};
pub use ocr::{Ocr, OcrError, Word};
use serde::{Deserialize, Serialize};

/// A rectangle in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn right(&self) -> u32 {
        self.x.saturating_add(self.w)
    }
    pub fn bottom(&self) -> u32 {
        self.y.saturating_add(self.h)
    }
    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let (x, y) = (self.x.min(o.x), self.y.min(o.y));
        Rect {
            x,
            y,
            w: self.right().max(o.right()) - x,
            h: self.bottom().max(o.bottom()) - y,
        }
    }
    /// Grown by `pad` on every side and clipped to a `width` × `height` image.
    pub fn padded(&self, pad: u32, width: u32, height: u32) -> Rect {
        let x = self.x.saturating_sub(pad).min(width);
        let y = self.y.saturating_sub(pad).min(height);
        let r = self.right().saturating_add(pad).min(width);
        let b = self.bottom().saturating_add(pad).min(height);
        Rect {
            x,
            y,
            w: r.saturating_sub(x),
            h: b.saturating_sub(y),
        }
    }
    fn cy(&self) -> f32 {
        self.y as f32 + self.h as f32 / 2.0
    }
}

/// One box drawn over the image, and why. Never the words under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    pub rect: Rect,
    /// The identifier type (`NHS_NUMBER`, `NAME`...), or `LABELLED` (after a label such as "DOB"),
    /// `UNCERTAIN_DIGITS` (digits the OCR was unsure of) or `BY_HAND` (drawn by a person).
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
}

/// A redacted screenshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RedactedImage {
    /// PNG made from the redacted pixels.
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<Redaction>,
    /// How many words the OCR read (0 means nothing could be read: a reviewer should look harder).
    pub words_read: usize,
}

/// Why a screenshot could not be redacted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Ocr(#[from] OcrError),
}

/// Padding around every box, in pixels (domain notes §8: 2-4 px).
pub const PAD: u32 = 3;
/// A word containing a digit read with less confidence than this is covered whatever it says.
pub const MIN_DIGIT_CONFIDENCE: f32 = 60.0;

/// Labels after which the rest of the line is covered, as lowercase words (punctuation trimmed).
const LABELS: &[&[&str]] = &[
    &["nhs", "no"],
    &["nhs", "number"],
    &["nhs", "num"],
    &["nhs", "#"],
    &["chi", "no"],
    &["chi", "number"],
    &["chi"],
    &["h&c", "no"],
    &["h&c"],
    &["dob"],
    &["d.o.b"],
    &["born"],
    &["date", "of", "birth"],
    &["name"],
    &["patient", "name"],
    &["surname"],
    &["forename"],
    &["forenames"],
    &["address"],
    &["mrn"],
    &["hospital", "no"],
    &["hospital", "number"],
    &["hosp", "no"],
    &["unit", "no"],
    &["pas", "no"],
    &["nino"],
    &["ni", "no"],
    &["ni", "number"],
    &["next", "of", "kin"],
    &["nok"],
    &["tel"],
    &["telephone"],
    &["phone"],
    &["mobile"],
    &["email"],
    &["e-mail"],
    &["postcode"],
];

/// A line of words rebuilt from their geometry, left to right.
struct Line {
    words: Vec<usize>,
}

/// Group words into lines: words whose vertical centres are within half a word height of each other
/// are on one row; a row is split where the gap between words is wider than three times their height
/// (a new column of the screen).
fn lines(words: &[Word]) -> Vec<Line> {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| words[a].rect.cy().total_cmp(&words[b].rect.cy()));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let w = &words[i].rect;
        let joined = rows.last_mut().filter(|row| {
            row.iter().any(|&j| {
                let o = &words[j].rect;
                (o.cy() - w.cy()).abs() <= 0.5 * (o.h.max(w.h) as f32)
            })
        });
        match joined {
            Some(row) => row.push(i),
            None => rows.push(vec![i]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by_key(|&i| words[i].rect.x);
        let mut current: Vec<usize> = Vec::new();
        for i in row {
            if let Some(&prev) = current.last() {
                let (p, w) = (&words[prev].rect, &words[i].rect);
                let gap = w.x.saturating_sub(p.right());
                if gap > 3 * p.h.max(w.h).max(4) {
                    out.push(Line {
                        words: std::mem::take(&mut current),
                    });
                }
            }
            current.push(i);
        }
        if !current.is_empty() {
            out.push(Line { words: current });
        }
    }
    out
}

/// Widen a box to the edges of the words before and after it on its line (when they are within three
/// word heights), or by half a word height where there is no such word.
fn stretch(r: Rect, line: &Line, words: &[Word], first: &Rect, last: &Rect) -> Rect {
    let reach = 3 * r.h.max(4);
    // Initials before a name ("M," read for "M.", "J.P.") belong to it.
    // OCR reads "I." as "|." and runs a title into an initial ("DrQ.").
    let initial = |t: &str| {
        let t = t.trim_end_matches(['.', ',']);
        !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_uppercase() || c == '.' || c == '|')
    };
    let is_initial = |t: &str| {
        initial(t)
            || ["Dr", "Mr", "Mrs", "Ms", "Miss", "Mx"].iter().any(|title| {
                t.strip_prefix(title)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()) && initial(rest))
            })
    };
    let mut r = r;
    let mut first = *first;
    while let Some(w) = line
        .words
        .iter()
        .map(|&i| &words[i])
        .filter(|w| w.rect.right() <= first.x && first.x - w.rect.right() <= r.h.max(4) && is_initial(&w.text))
        .max_by_key(|w| w.rect.x)
    {
        r = r.union(&w.rect);
        first = w.rect;
    }
    let first = &first;
    let before = line
        .words
        .iter()
        .map(|&i| &words[i].rect)
        .filter(|w| w.right() <= first.x && first.x - w.right() <= reach)
        .map(|w| w.right() + 2 + PAD)
        .max();
    let after = line
        .words
        .iter()
        .map(|&i| &words[i].rect)
        .filter(|w| w.x >= last.right() && w.x - last.right() <= reach)
        .map(|w| w.x.saturating_sub(2 + PAD))
        .min();
    let left = before.unwrap_or_else(|| r.x.saturating_sub(r.h / 2)).min(r.x);
    let right = after.unwrap_or_else(|| r.right() + r.h / 2).max(r.right());
    Rect {
        x: left,
        y: r.y,
        w: right - left,
        h: r.h,
    }
}

fn label_word(s: &str) -> String {
    s.trim_matches(|c: char| matches!(c, ':' | ',' | ')' | '(' | ';' | '-' | '|'))
        .trim_end_matches('.')
        .to_lowercase()
}

/// The boxes for a set of OCR words. `context` is the report's other text, searched together with the
/// screenshot so that names found in either are covered in the screenshot.
pub fn find_boxes(words: &[Word], text: &Redactor, context: &[&str], width: u32, height: u32) -> Vec<Redaction> {
    let lines = lines(words);
    // The OCR text, a line of the screen per line of text, with each word's char range.
    let mut ocr = String::new();
    let mut ranges: Vec<(usize, usize)> = vec![(0, 0); words.len()];
    let mut chars = 0usize;
    for line in &lines {
        for (k, &i) in line.words.iter().enumerate() {
            if k > 0 {
                ocr.push(' ');
                chars += 1;
            }
            let n = words[i].text.chars().count();
            ranges[i] = (chars, chars + n);
            ocr.push_str(&words[i].text);
            chars += n;
        }
        ocr.push('\n');
        chars += 1;
    }
    let mut fields: Vec<&str> = vec![&ocr];
    fields.extend_from_slice(context);
    let found = text
        .redact_all(&fields)
        .into_iter()
        .next()
        .map(|r| r.spans)
        .unwrap_or_default();

    let mut boxes = Vec::new();
    let mut push = |rect: Rect, kind: &str, reason: String| {
        let rect = rect.padded(PAD, width, height);
        if rect.w > 0 && rect.h > 0 {
            boxes.push(Redaction {
                rect,
                kind: kind.to_string(),
                reason,
            });
        }
    };
    for line in &lines {
        // Identifiers found by the text engine: one box per identifier per line.
        for s in &found {
            let touched: Vec<&Rect> = line
                .words
                .iter()
                .filter(|&&i| ranges[i].0 < s.end && s.start < ranges[i].1)
                .map(|&i| &words[i].rect)
                .collect();
            if let (Some(&a), Some(&b)) = (touched.first(), touched.last()) {
                let r = touched.iter().fold(*a, |acc, r| acc.union(r));
                // Fail closed: stretch to the neighbouring words, so ink the OCR did not read as a word
                // (an initial, a faint character) between them is covered too.
                let r = stretch(r, line, words, a, b);
                push(r, s.kind.as_str(), s.reason.to_string());
            }
        }
        // Fail closed: uncertain digits.
        for &i in &line.words {
            let w = &words[i];
            if w.conf < MIN_DIGIT_CONFIDENCE && w.text.chars().any(|c| c.is_ascii_digit()) {
                push(
                    w.rect,
                    "UNCERTAIN_DIGITS",
                    format!(
                        "digits read with confidence {:.0} (below {MIN_DIGIT_CONFIDENCE:.0})",
                        w.conf
                    ),
                );
            }
        }
        // Fail closed: the banner convention "SURNAME, Forename Middle" whatever the lexicons say.
        for (k, &i) in line.words.iter().enumerate() {
            let t = words[i].text.as_str();
            let caps = t.strip_suffix(',').is_some_and(|s| {
                s.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && s.chars().all(|c| c.is_uppercase() || matches!(c, '\'' | '-' | '’'))
            });
            if !caps {
                continue;
            }
            let mut r = words[i].rect;
            for (n, &j) in line.words[k + 1..].iter().enumerate() {
                // The forename whatever its case (OCR reads "Iona" as "lona"), then capitalised words.
                let first = words[j].text.chars().next();
                let more = if n == 0 {
                    first.is_some_and(char::is_alphabetic)
                } else {
                    first.is_some_and(char::is_uppercase)
                };
                if !more {
                    break;
                }
                r = r.union(&words[j].rect);
            }
            push(r, "NAME", "SURNAME, Forename".into());
        }
        // Fail closed: everything after a label on the same line.
        let lw: Vec<String> = line.words.iter().map(|&i| label_word(&words[i].text)).collect();
        let mut k = 0;
        while k < lw.len() {
            let hit = LABELS
                .iter()
                .filter(|l| lw.len() >= k + l.len() && l.iter().zip(&lw[k..]).all(|(a, b)| *a == b))
                .map(|l| l.len())
                .max();
            match hit {
                Some(n) if k + n < lw.len() => {
                    let rest: Vec<&Rect> = line.words[k + n..].iter().map(|&i| &words[i].rect).collect();
                    if let Some(first) = rest.first() {
                        let r = rest.iter().fold(**first, |acc, r| acc.union(r));
                        push(r, "LABELLED", format!("after the label \"{}\"", lw[k..k + n].join(" ")));
                    }
                    break;
                }
                _ => k += 1,
            }
        }
    }
    merge(boxes)
}

/// Join boxes on the same row that nearly touch, so that no sliver of text is left between the words
/// of one identifier ("SMITH," and "John") and fewer, larger boxes are drawn.
fn merge(mut boxes: Vec<Redaction>) -> Vec<Redaction> {
    boxes.sort_by_key(|b| (b.rect.y, b.rect.x));
    let mut out: Vec<Redaction> = Vec::with_capacity(boxes.len());
    for b in boxes {
        let near = out.iter_mut().find(|o| {
            let (a, c) = (&o.rect, &b.rect);
            let overlap = a.bottom().min(c.bottom()).saturating_sub(a.y.max(c.y));
            let same_row = overlap * 2 >= a.h.min(c.h);
            let gap = if c.x >= a.right() {
                c.x - a.right()
            } else {
                a.x.saturating_sub(c.right())
            };
            same_row && gap <= a.h.max(c.h)
        });
        match near {
            Some(o) => {
                o.rect = o.rect.union(&b.rect);
                if o.kind != b.kind && !o.reason.contains(&b.kind) {
                    o.reason = format!("{}; {}: {}", o.reason, b.kind, b.reason);
                }
            }
            None => out.push(b),
        }
    }
    out
}

/// Fill each box with opaque black.
pub fn draw(img: &mut RgbImage, boxes: &[Rect]) {
    let (w, h) = img.dimensions();
    for b in boxes {
        let b = b.padded(0, w, h);
        for y in b.y..b.bottom() {
            for x in b.x..b.right() {
                img.put_pixel(x, y, Rgb([0, 0, 0]));
            }
        }
    }
}

/// Redact a screenshot: decode within `limits`, OCR, find, draw, re-encode as PNG.
pub fn redact(
    bytes: &[u8],
    limits: &Limits,
    ocr: &dyn Ocr,
    text: &Redactor,
    context: &[&str],
) -> Result<RedactedImage, ImageError> {
    let mut img = decode(bytes, limits)?;
    let words = ocr.words(&img)?;
    let (width, height) = img.dimensions();
    let boxes = find_boxes(&words, text, context, width, height);
    draw(&mut img, &boxes.iter().map(|b| b.rect).collect::<Vec<_>>());
    Ok(RedactedImage {
        png: encode_png(&img)?,
        width,
        height,
        boxes,
        words_read: words.len(),
    })
}

/// Add boxes drawn by hand to an already redacted image (PNG or any accepted format). Boxes are clipped
/// to the image; a box wholly outside it is refused, naming which.
pub fn add_boxes(bytes: &[u8], limits: &Limits, boxes: &[Rect]) -> Result<(Vec<u8>, Vec<Redaction>), HandBoxError> {
    let mut img = decode(bytes, limits)?;
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    for (i, b) in boxes.iter().enumerate() {
        if b.w == 0 || b.h == 0 || b.x >= w || b.y >= h {
            return Err(HandBoxError::Outside {
                index: i,
                width: w,
                height: h,
            });
        }
        out.push(Redaction {
            rect: b.padded(0, w, h),
            kind: "BY_HAND".into(),
            reason: "drawn by the reporter".into(),
        });
    }
    draw(&mut img, &out.iter().map(|b| b.rect).collect::<Vec<_>>());
    Ok((encode_png(&img)?, out))
}

/// Why boxes drawn by hand could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandBoxError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("box {index} is empty or outside the {width}×{height} image")]
    Outside { index: usize, width: u32, height: u32 },
}

#[cfg(test)]
mod tests;
