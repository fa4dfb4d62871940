//! Synthetic EPR screenshots with known identifier boxes, and a scorer (domain notes §5.1, §7.1).
//!
//! [`screen`] renders a deterministic EPR-like screen for a seed: a patient banner (`SURNAME, Forename`,
//! date of birth and age, NHS number, MRN, address and postcode), a navigation column, a medication
//! table with prescribers, a next-of-kin line with phone and email, an allergy alert and a footer. Sizes,
//! font sizes, colours, label wordings and field order vary with the seed; people and identifiers come
//! from `candour_redact::eval::screen_patient` (999-range NHS numbers, drama phones, example.com).
//! Each identifier's box is the tight box of its ink, measured from the rendered pixels.
//!
//! [`score`] counts an identifier as covered when at least 95% of its box's pixels are under redaction
//! boxes, and a must-keep token (drug, dose, date) as damaged when more than 20% of it is covered.

use crate::Rect;
use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use candour_redact::eval::screen_patient;
pub use image::{Rgb, RgbImage};
use std::collections::BTreeMap;

/// What a labelled box holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Label {
    /// The patient's name in the banner.
    BannerName,
    Name,
    NhsNumber,
    DateOfBirth,
    Age,
    HospitalNumber,
    Address,
    Postcode,
    Phone,
    Email,
    /// Clinical content that must stay readable.
    Keep,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::BannerName => "BANNER_NAME",
            Label::Name => "NAME",
            Label::NhsNumber => "NHS_NUMBER",
            Label::DateOfBirth => "DATE_OF_BIRTH",
            Label::Age => "AGE",
            Label::HospitalNumber => "HOSPITAL_NUMBER",
            Label::Address => "ADDRESS",
            Label::Postcode => "POSTCODE",
            Label::Phone => "PHONE",
            Label::Email => "EMAIL",
            Label::Keep => "KEEP",
        }
    }
}

/// A rendered screen and its labelled boxes.
pub struct Screen {
    pub image: RgbImage,
    pub labels: Vec<(Rect, Label)>,
}

/// Why fonts could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("font {path}: {why} (install Debian's fonts-dejavu-core, or set CANDOUR_FONT_DIR)")]
pub struct FontError {
    pub path: String,
    pub why: String,
}

/// DejaVu Sans regular and bold, from `CANDOUR_FONT_DIR` or Debian's fonts-dejavu-core.
pub struct Fonts {
    regular: FontVec,
    bold: FontVec,
}

impl Fonts {
    pub fn load() -> Result<Fonts, FontError> {
        let dir = std::env::var("CANDOUR_FONT_DIR").unwrap_or_else(|_| "/usr/share/fonts/truetype/dejavu".into());
        let one = |name: &str| {
            let path = format!("{dir}/{name}");
            let bytes = std::fs::read(&path).map_err(|e| FontError {
                path: path.clone(),
                why: e.to_string(),
            })?;
            FontVec::try_from_vec(bytes).map_err(|e| FontError {
                path,
                why: e.to_string(),
            })
        };
        Ok(Fonts {
            regular: one("DejaVuSans.ttf")?,
            bold: one("DejaVuSans-Bold.ttf")?,
        })
    }
}

/// Deterministic random numbers (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

struct Painter<'a> {
    img: RgbImage,
    fonts: &'a Fonts,
    /// Pending labels: region where the ink is, background colour there, label.
    pending: Vec<(Rect, Rgb<u8>, Label)>,
}

impl Painter<'_> {
    fn fill(&mut self, r: Rect, c: Rgb<u8>) {
        let (w, h) = self.img.dimensions();
        for y in r.y..r.bottom().min(h) {
            for x in r.x..r.right().min(w) {
                self.img.put_pixel(x, y, c);
            }
        }
    }

    /// Draw runs of text on one line starting at (x, top); each run may be labelled. Returns the end x.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        x: f32,
        top: f32,
        px: f32,
        bold: bool,
        fg: Rgb<u8>,
        bg: Rgb<u8>,
        runs: &[(&str, Option<Label>)],
    ) -> f32 {
        let font = if bold { &self.fonts.bold } else { &self.fonts.regular };
        let sf = font.as_scaled(PxScale::from(px));
        let baseline = top + sf.ascent();
        let height = (sf.ascent() - sf.descent()).ceil() as u32 + 2;
        let mut caret = x;
        let (w, h) = self.img.dimensions();
        for (text, label) in runs {
            let start = caret;
            let mut prev = None;
            for c in text.chars() {
                let id = sf.glyph_id(c);
                if let Some(p) = prev {
                    caret += sf.kern(p, id);
                }
                let g = id.with_scale_and_position(px, ab_glyph::point(caret, baseline));
                caret += sf.h_advance(id);
                prev = Some(id);
                if let Some(o) = font.outline_glyph(g) {
                    let b = o.px_bounds();
                    let img = &mut self.img;
                    o.draw(|gx, gy, cov| {
                        let (ix, iy) = (b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy));
                        if ix < 0 || iy < 0 || ix >= i64::from(w) || iy >= i64::from(h) {
                            return;
                        }
                        let p = img.get_pixel_mut(ix as u32, iy as u32);
                        for k in 0..3 {
                            let v = f32::from(p.0[k]) * (1.0 - cov) + f32::from(fg.0[k]) * cov;
                            p.0[k] = v.round().clamp(0.0, 255.0) as u8;
                        }
                    });
                }
            }
            if let Some(l) = label {
                let region = Rect {
                    x: start.floor().max(0.0) as u32,
                    y: (top - 1.0).max(0.0) as u32,
                    w: (caret - start).ceil().max(1.0) as u32,
                    h: height,
                };
                self.pending.push((region, bg, *l));
            }
        }
        caret
    }

    /// The tight box of the ink inside each pending region.
    fn finish(self) -> Screen {
        let mut labels = Vec::new();
        let (w, h) = self.img.dimensions();
        for (r, bg, l) in &self.pending {
            let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
            for y in r.y..r.bottom().min(h) {
                for x in r.x..r.right().min(w) {
                    let p = self.img.get_pixel(x, y);
                    let d: u32 = (0..3).map(|k| u32::from(p.0[k].abs_diff(bg.0[k]))).sum();
                    if d > 60 {
                        x0 = x0.min(x);
                        y0 = y0.min(y);
                        x1 = x1.max(x);
                        y1 = y1.max(y);
                    }
                }
            }
            if x0 <= x1 && y0 <= y1 {
                labels.push((
                    Rect {
                        x: x0,
                        y: y0,
                        w: x1 - x0 + 1,
                        h: y1 - y0 + 1,
                    },
                    *l,
                ));
            }
        }
        Screen {
            image: self.img,
            labels,
        }
    }
}

const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
const BLACK: Rgb<u8> = Rgb([33, 43, 50]);

/// Render the synthetic screen for `seed`.
pub fn screen(fonts: &Fonts, seed: u64) -> Screen {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xC0FF_EE00);
    let p = screen_patient(seed);
    let (w, h) = rng.pick(&[(1280, 720), (1280, 720), (1280, 720), (1366, 768), (1024, 640)]);
    let px = rng.pick(&[14.0f32, 15.0, 15.0, 16.0, 17.0, 18.0]);
    let gap = px * 2.2;
    let line_h = px * 1.9;
    let mut pt = Painter {
        img: RgbImage::from_pixel(w, h, Rgb([248, 248, 248])),
        fonts,
        pending: Vec::new(),
    };
    // Title bar.
    let bar = Rgb([240, 244, 245]);
    pt.fill(Rect { x: 0, y: 0, w, h: 34 }, bar);
    let product = rng.pick(&[
        "CareFlow EPR v8.2",
        "MedChart eMAR 5.1",
        "Nervecentre 7.3",
        "TrakCare 2024.1",
    ]);
    pt.line(12.0, 9.0, 14.0, true, BLACK, bar, &[(product, None)]);
    pt.line(
        w as f32 - 320.0,
        9.0,
        14.0,
        false,
        BLACK,
        bar,
        &[("Logged in as: Ward Clerk  |  Ward 12", None)],
    );

    // Banner.
    let (bg, fg) = rng.pick(&[
        (Rgb([0, 94, 184]), WHITE),
        (Rgb([0, 48, 135]), WHITE),
        (Rgb([33, 43, 50]), WHITE),
        (Rgb([232, 237, 238]), BLACK),
    ]);
    let banner_h = (line_h * 2.0 + 18.0) as u32;
    pt.fill(
        Rect {
            x: 0,
            y: 34,
            w,
            h: banner_h,
        },
        bg,
    );
    let upper = p.last.to_uppercase();
    let name_form = rng.below(3);
    let (full_name, title) = match name_form {
        0 => (format!("{upper}, {}", p.first), String::new()),
        1 => (format!("{upper}, {}", p.first), format!(" ({})", p.title)),
        _ => (format!("{} {upper}", p.first), String::new()),
    };
    let y1 = 34.0 + 8.0;
    let mut x = 16.0;
    let runs = [(full_name.as_str(), Some(Label::BannerName)), (title.as_str(), None)];
    x = pt.line(x, y1, px + 3.0, true, fg, bg, &runs) + gap;
    let dob_runs: Vec<(String, Option<Label>)> = match rng.below(3) {
        0 => vec![
            ("Born ".into(), None),
            (p.born.clone(), Some(Label::DateOfBirth)),
            (" (".into(), None),
            (p.age.clone(), Some(Label::Age)),
            (")".into(), None),
        ],
        1 => vec![("DOB: ".into(), None), (p.born.clone(), Some(Label::DateOfBirth))],
        _ => vec![("D.O.B. ".into(), None), (p.born.clone(), Some(Label::DateOfBirth))],
    };
    let nhs_label = rng.pick(&["NHS No. ", "NHS Number: ", "NHS No: "]);
    let mrn_label = rng.pick(&["MRN ", "Hospital No: ", "MRN: "]);
    let mut fields: Vec<Vec<(String, Option<Label>)>> = vec![
        dob_runs,
        vec![(nhs_label.into(), None), (p.nhs.clone(), Some(Label::NhsNumber))],
        vec![(mrn_label.into(), None), (p.mrn.clone(), Some(Label::HospitalNumber))],
    ];
    if rng.below(2) == 0 {
        fields.swap(0, 1);
    }
    for f in &fields {
        let runs: Vec<(&str, Option<Label>)> = f.iter().map(|(s, l)| (s.as_str(), *l)).collect();
        x = pt.line(x, y1 + 3.0, px, false, fg, bg, &runs) + gap;
    }
    let y2 = y1 + line_h + 4.0;
    let addr_label = rng.pick(&["Address: ", "Address ", "Home address: "]);
    pt.line(
        16.0,
        y2,
        px,
        false,
        fg,
        bg,
        &[
            (addr_label, None),
            (p.street.as_str(), Some(Label::Address)),
            (", ", None),
            (p.postcode.as_str(), Some(Label::Postcode)),
        ],
    );

    // Navigation column.
    let nav = Rgb([225, 230, 232]);
    let top = 34 + banner_h;
    pt.fill(
        Rect {
            x: 0,
            y: top,
            w: 170,
            h: h - top,
        },
        nav,
    );
    let mut y = top as f32 + 16.0;
    for item in [
        "Summary",
        "Results",
        "Medications",
        "Allergies",
        "Documents",
        "Observations",
    ] {
        pt.line(16.0, y, px, false, BLACK, nav, &[(item, None)]);
        y += line_h;
    }

    // Medication table.
    let bgw = Rgb([248, 248, 248]);
    let x0 = 200.0;
    let cols = [x0, x0 + px * 9.0, x0 + px * 20.0, x0 + px * 33.0];
    let mut y = top as f32 + 18.0;
    pt.line(x0, y, px + 3.0, true, BLACK, bgw, &[("Current medications", None)]);
    y += line_h * 1.4;
    for (c, head) in cols.iter().zip(["Date", "Drug", "Dose", "Prescriber"]) {
        pt.line(*c, y, px, true, BLACK, bgw, &[(head, None)]);
    }
    y += line_h;
    for (i, (date, drug, dose)) in p.meds.iter().enumerate() {
        let (title, first, last) = &p.staff[i % p.staff.len()];
        pt.line(cols[0], y, px, false, BLACK, bgw, &[(date.as_str(), Some(Label::Keep))]);
        pt.line(cols[1], y, px, false, BLACK, bgw, &[(drug.as_str(), Some(Label::Keep))]);
        pt.line(cols[2], y, px, false, BLACK, bgw, &[(dose.as_str(), Some(Label::Keep))]);
        let initial = format!("{}.", first.chars().next().unwrap_or('A'));
        let name = if rng.below(3) == 0 {
            format!("{initial} {last}")
        } else {
            format!("{first} {last}")
        };
        pt.line(
            cols[3],
            y,
            px,
            false,
            BLACK,
            bgw,
            &[(title.as_str(), None), (" ", None), (name.as_str(), Some(Label::Name))],
        );
        y += line_h;
    }

    // Next of kin.
    y += line_h * 0.6;
    let kin = format!("{} {}", p.kin.0, p.kin.1);
    let relation = rng.pick(&["daughter", "son", "wife", "husband", "partner", "sister"]);
    let rel = format!(" ({relation}), tel ");
    pt.line(
        x0,
        y,
        px,
        false,
        BLACK,
        bgw,
        &[
            ("Next of kin: ", None),
            (kin.as_str(), Some(Label::Name)),
            (rel.as_str(), None),
            (p.phone.as_str(), Some(Label::Phone)),
            (", email ", None),
            (p.email.as_str(), Some(Label::Email)),
        ],
    );
    y += line_h * 1.6;
    let red = Rgb([212, 53, 28]);
    let allergy = rng.pick(&["Penicillin", "Latex", "Codeine", "Trimethoprim"]);
    pt.line(
        x0,
        y,
        px,
        true,
        red,
        bgw,
        &[
            ("Allergy alert: ", None),
            (allergy, Some(Label::Keep)),
            (" - anaphylaxis", None),
        ],
    );
    pt.finish()
}

/// How well a set of redaction boxes covers a screen's labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScreenScores {
    /// Per label: (boxes, covered ≥95%).
    pub per_label: BTreeMap<&'static str, (usize, usize)>,
    /// Must-keep boxes, and how many were more than 20% covered.
    pub keep: (usize, usize),
    /// Seeds with an identifier left uncovered, and which label.
    pub misses: Vec<(u64, &'static str)>,
}

impl ScreenScores {
    /// Covered identifier boxes / all identifier boxes.
    pub fn recall(&self) -> f64 {
        let (n, c) = self.per_label.values().fold((0, 0), |(n, c), (a, b)| (n + a, c + b));
        if n == 0 {
            1.0
        } else {
            c as f64 / n as f64
        }
    }
    pub fn recall_of(&self, label: Label) -> Option<f64> {
        self.per_label
            .get(label.as_str())
            .map(|&(n, c)| if n == 0 { 1.0 } else { c as f64 / n as f64 })
    }

    /// Add one screen's result.
    pub fn add(&mut self, seed: u64, screen: &Screen, boxes: &[Rect]) {
        let (w, h) = screen.image.dimensions();
        let mut mask = vec![false; w as usize * h as usize];
        for b in boxes {
            let b = b.padded(0, w, h);
            for y in b.y..b.bottom() {
                for x in b.x..b.right() {
                    mask[y as usize * w as usize + x as usize] = true;
                }
            }
        }
        for (r, l) in &screen.labels {
            let mut covered = 0u64;
            for y in r.y..r.bottom().min(h) {
                for x in r.x..r.right().min(w) {
                    covered += u64::from(mask[y as usize * w as usize + x as usize]);
                }
            }
            let frac = covered as f64 / (u64::from(r.w) * u64::from(r.h)).max(1) as f64;
            if *l == Label::Keep {
                self.keep.0 += 1;
                self.keep.1 += usize::from(frac > 0.2);
            } else {
                let e = self.per_label.entry(l.as_str()).or_default();
                e.0 += 1;
                if frac >= 0.95 {
                    e.1 += 1;
                } else {
                    self.misses.push((seed, l.as_str()));
                }
            }
        }
    }
}

impl std::fmt::Display for ScreenScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "| Identifier | Boxes | Covered ≥95% | Recall |")?;
        writeln!(f, "|---|---|---|---|")?;
        for (k, (n, c)) in &self.per_label {
            writeln!(f, "| {k} | {n} | {c} | {:.3} |", *c as f64 / (*n).max(1) as f64)?;
        }
        writeln!(f, "| **all** | | | **{:.4}** |", self.recall())?;
        writeln!(
            f,
            "\nMust-keep boxes damaged (>20% covered): {} of {}",
            self.keep.1, self.keep.0
        )
    }
}
