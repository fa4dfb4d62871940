use super::*;
use std::io::Cursor;

fn word(x: u32, y: u32, text: &str, conf: f32) -> Word {
    let w = 9 * text.chars().count() as u32;
    Word {
        rect: Rect { x, y, w, h: 12 },
        text: text.into(),
        conf,
    }
}

/// Words laid out left to right from x, 5 px apart.
fn row(mut x: u32, y: u32, texts: &[&str]) -> Vec<Word> {
    texts
        .iter()
        .map(|t| {
            let w = word(x, y, t, 95.0);
            x = w.rect.right() + 5;
            w
        })
        .collect()
}

fn covers(boxes: &[Redaction], w: &Word) -> bool {
    boxes.iter().any(|b| {
        b.rect.x <= w.rect.x
            && b.rect.y <= w.rect.y
            && b.rect.right() >= w.rect.right()
            && b.rect.bottom() >= w.rect.bottom()
    })
}

struct Fake(Vec<Word>);
impl Ocr for Fake {
    fn words(&self, _: &RgbImage) -> Result<Vec<Word>, OcrError> {
        Ok(self.0.clone())
    }
}

fn png(w: u32, h: u32) -> Vec<u8> {
    encode_png(&RgbImage::from_pixel(w, h, Rgb([250, 250, 250]))).unwrap()
}

#[test]
fn identifiers_found_by_the_text_engine_are_boxed_and_clinical_words_are_not() {
    let r = Redactor::new();
    let mut ws = row(10, 10, &["Record", "943", "476", "5919", "merged", "NHS", "wide"]);
    ws.extend(row(10, 40, &["Seen", "by", "Dr", "Qorvath", "on", "Ward", "12"]));
    ws.extend(row(10, 70, &["given", "Amoxicillin", "500", "mg", "TDS"]));
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    for i in [1, 2, 3] {
        assert!(
            covers(&boxes, &ws[i]),
            "NHS number word {} uncovered: {boxes:?}",
            ws[i].text
        );
    }
    assert!(covers(&boxes, &ws[10]), "name uncovered: {boxes:?}");
    for i in [0, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18] {
        assert!(!covers(&boxes, &ws[i]), "{} over-redacted: {boxes:?}", ws[i].text);
    }
    assert!(boxes.iter().any(|b| b.kind == "NHS_NUMBER"));
    // One box for the three words of the number: no gap for a digit to show through.
    assert_eq!(boxes.iter().filter(|b| b.kind == "NHS_NUMBER").count(), 1);
}

#[test]
fn after_a_label_the_rest_of_the_line_is_covered_even_when_it_looks_harmless() {
    let r = Redactor::new();
    let ws = row(10, 10, &["DOB:", "tomorrow", "maybe"]);
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(covers(&boxes, &ws[1]) && covers(&boxes, &ws[2]), "{boxes:?}");
    assert!(!covers(&boxes, &ws[0]), "the label stays readable");
    assert_eq!(boxes[0].kind, "LABELLED");
    assert!(boxes[0].reason.contains("dob"), "{}", boxes[0].reason);
    // Multi-word labels, and a label with nothing after it draws nothing.
    let ws = row(10, 10, &["Next", "of", "kin:", "Hope", "Walker"]);
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(covers(&boxes, &ws[3]) && covers(&boxes, &ws[4]), "{boxes:?}");
    assert!(find_boxes(&row(10, 10, &["Address"]), &r, &[], 1000, 100).is_empty());
    // A far column is another line: the label does not reach across the screen.
    let mut ws = row(10, 10, &["MRN", "K123456"]);
    ws.extend(row(700, 10, &["Paracetamol"]));
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(!covers(&boxes, &ws[2]), "{boxes:?}");
}

#[test]
fn uncertain_digits_are_covered_whatever_they_read_as() {
    let r = Redactor::new();
    let ws = vec![
        word(10, 10, "Ref", 95.0),
        word(60, 10, "4l7", 41.0),
        word(100, 10, "v2.1", 93.0),
    ];
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(covers(&boxes, &ws[1]));
    assert!(!covers(&boxes, &ws[2]), "confident digits are left to the text engine");
    assert_eq!(boxes[0].kind, "UNCERTAIN_DIGITS");
}

#[test]
fn banner_surname_comma_forename_is_a_name_whatever_the_lexicons_say() {
    let r = Redactor::new();
    let ws = row(10, 10, &["QWERTYX,", "lona", "Zyx", "(Mrs)"]);
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    for w in &ws[..3] {
        assert!(covers(&boxes, w), "{}: {boxes:?}", w.text);
    }
    assert!(!covers(&boxes, &ws[3]), "title kept: {boxes:?}");
}

#[test]
fn a_name_typed_in_the_report_is_found_in_the_screenshot() {
    let r = Redactor::new();
    let ws = row(10, 10, &["Allergies", "for", "Qorvath", "not", "shown"]);
    assert!(!covers(&find_boxes(&ws, &r, &[], 1000, 100), &ws[2]));
    let boxes = find_boxes(&ws, &r, &["The banner showed Mr Qorvath's record."], 1000, 100);
    assert!(covers(&boxes, &ws[2]), "{boxes:?}");
}

#[test]
fn an_initial_the_text_engine_missed_is_taken_with_the_name() {
    let r = Redactor::new();
    let ws = row(10, 10, &["Mr", "M,", "Demir"]);
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(covers(&boxes, &ws[1]) && covers(&boxes, &ws[2]), "{boxes:?}");
    assert!(!covers(&boxes, &ws[0]), "{boxes:?}");
}

#[test]
fn lines_are_rebuilt_from_geometry_not_ocr_order() {
    // Words given out of order and on two rows; the NHS cue and number are on one row.
    let mut ws = row(10, 50, &["bed", "4"]);
    let mut r1 = row(10, 10, &["NHS", "no", "999", "000", "0000"]);
    r1.reverse();
    ws.extend(r1);
    let r = Redactor::new();
    let boxes = find_boxes(&ws, &r, &[], 1000, 100);
    assert!(boxes.iter().all(|b| b.rect.y < 40), "{boxes:?}");
    assert!(covers(&boxes, &ws[2]), "{boxes:?}");
}

#[test]
fn boxes_are_solid_black_padded_and_clipped() {
    let r = Redactor::new();
    let ws = vec![word(0, 0, "999", 20.0)];
    let out = redact(&png(200, 50), &Limits::default(), &Fake(ws.clone()), &r, &[]).unwrap();
    assert_eq!(out.boxes.len(), 1);
    let b = out.boxes[0].rect;
    assert_eq!((b.x, b.y), (0, 0), "clipped at the edge");
    assert_eq!((b.w, b.h), (ws[0].rect.w + PAD, 12 + PAD));
    let img = decode(&out.png, &Limits::default()).unwrap();
    for y in 0..b.h {
        for x in 0..b.w {
            assert_eq!(img.get_pixel(x, y), &Rgb([0, 0, 0]));
        }
    }
    assert_eq!(img.get_pixel(b.w + 1, 1), &Rgb([250, 250, 250]));
    assert_eq!(out.words_read, 1);
}

#[test]
fn decoding_refuses_what_is_not_a_screenshot_and_says_why() {
    let l = Limits::default();
    assert_eq!(decode(b"", &l), Err(DecodeError::Empty));
    assert_eq!(decode(b"GIF89a....", &l), Err(DecodeError::UnsupportedType));
    assert_eq!(decode(b"%PDF-1.7", &l), Err(DecodeError::UnsupportedType));
    let mut truncated = png(64, 64);
    truncated.truncate(40);
    assert!(matches!(decode(&truncated, &l), Err(DecodeError::Malformed(_))));
    let small = Limits { max_bytes: 10, ..l };
    assert!(matches!(decode(&png(4, 4), &small), Err(DecodeError::TooLarge { .. })));
    let e = decode(&png(300, 20), &Limits { max_side: 200, ..l }).unwrap_err();
    assert!(e.to_string().contains("300×20"), "{e}");
    let e = decode(&png(100, 100), &Limits { max_pixels: 9_999, ..l }).unwrap_err();
    assert!(matches!(e, DecodeError::TooManyPixels { .. }), "{e}");
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header_without_decoding() {
    // A valid PNG header declaring 100,000 × 100,000 pixels, followed by almost nothing.
    let mut bomb = png(1, 1);
    // IHDR width and height are at bytes 16..24; the chunk CRC will be wrong, so patch it too.
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let e = decode(&bomb, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::TooManyPixels { width: 100_000, .. } | DecodeError::Malformed(_)
        ),
        "{e:?}"
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn jpeg_and_webp_decode_and_metadata_does_not_survive() {
    let img = RgbImage::from_fn(40, 30, |x, y| Rgb([(x * 6) as u8, (y * 8) as u8, 90]));
    let mut jpeg = Vec::new();
    img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    // An APP1 "Exif" segment with a fake GPS string, right after SOI.
    let secret = b"Exif\0\0GPS 51.5014N 0.1419W Ward 12 iPhone";
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend_from_slice(&((secret.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(secret);
    with_exif.extend_from_slice(&jpeg[2..]);
    let r = Redactor::new();
    let out = redact(&with_exif, &Limits::default(), &Fake(vec![]), &r, &[]).unwrap();
    assert!(out.png.starts_with(b"\x89PNG"));
    assert!(!out.png.windows(3).any(|w| w == b"GPS"), "metadata carried over");
    assert_eq!((out.width, out.height), (40, 30));

    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(img.as_raw(), 40, 30, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!(decode(&webp, &Limits::default()).unwrap().dimensions(), (40, 30));
}

#[test]
fn hand_drawn_boxes_are_applied_and_refused_outside_the_image() {
    let (out, boxes) = add_boxes(
        &png(100, 50),
        &Limits::default(),
        &[Rect {
            x: 90,
            y: 40,
            w: 50,
            h: 50,
        }],
    )
    .unwrap();
    assert_eq!(
        boxes[0].rect,
        Rect {
            x: 90,
            y: 40,
            w: 10,
            h: 10
        },
        "clipped"
    );
    assert_eq!(boxes[0].kind, "BY_HAND");
    let img = decode(&out, &Limits::default()).unwrap();
    assert_eq!(img.get_pixel(95, 45), &Rgb([0, 0, 0]));
    assert_eq!(img.get_pixel(85, 45), &Rgb([250, 250, 250]));
    let e = add_boxes(
        &png(100, 50),
        &Limits::default(),
        &[
            Rect { x: 1, y: 1, w: 2, h: 2 },
            Rect {
                x: 100,
                y: 0,
                w: 5,
                h: 5,
            },
        ],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "box 1 is empty or outside the 100×50 image");
}

#[test]
fn tesseract_tsv_is_parsed_into_words() {
    let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
               1\t1\t0\t0\t0\t0\t0\t0\t800\t600\t-1\t\n\
               5\t1\t1\t1\t1\t1\t17\t45\t129\t14\t91.8\tSMITH,\n\
               5\t1\t1\t1\t1\t2\t154\t45\t57\t15\t96.8\tJohn\n\
               5\t1\t2\t1\t1\t1\t5\t5\t0\t9\t50\tbad\n\
               5\t1\t2\t1\t1\t2\t5\t5\t9\t9\t95\t \n";
    let ws = ocr::parse_tsv(tsv);
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0].text, "SMITH,");
    assert_eq!(
        ws[1].rect,
        Rect {
            x: 154,
            y: 45,
            w: 57,
            h: 15
        }
    );
    assert!((ws[0].conf - 91.8).abs() < 0.01);
}

#[cfg(feature = "tesseract")]
mod real {
    use super::*;
    use crate::synth::{screen, Fonts, Label, ScreenScores};

    /// The quality gate on real Tesseract (CI installs it): generated EPR screens with known identifier
    /// boxes; ≥0.98 of boxes covered, every NHS number and banner name, and clinical words left readable.
    #[test]
    fn real_ocr_covers_identifiers_on_generated_epr_screens() {
        let fonts = Fonts::load().unwrap();
        let ocr = ocr::Tesseract::new(None).unwrap();
        let r = Redactor::new();
        let mut scores = ScreenScores::default();
        for seed in 201..=212 {
            let s = screen(&fonts, seed);
            let out = redact(&encode_png(&s.image).unwrap(), &Limits::default(), &ocr, &r, &[]).unwrap();
            assert!(
                out.words_read > 40,
                "seed {seed}: OCR read only {} words",
                out.words_read
            );
            scores.add(seed, &s, &out.boxes.iter().map(|b| b.rect).collect::<Vec<_>>());
        }
        println!("{scores}\nmisses: {:?}", scores.misses);
        assert!(scores.recall() >= 0.98, "{scores}");
        assert_eq!(scores.recall_of(Label::NhsNumber), Some(1.0), "{scores}");
        assert_eq!(scores.recall_of(Label::BannerName), Some(1.0), "{scores}");
        assert!(scores.keep.1 * 50 <= scores.keep.0, "clinical words covered: {scores}");
    }

    #[test]
    fn the_synthetic_labels_are_where_the_ink_is() {
        // A scorer that trusted wrong labels could pass anything: check a drawn box covers its label
        // exactly and that an empty redaction covers nothing.
        let fonts = Fonts::load().unwrap();
        let s = screen(&fonts, 7);
        let mut none = ScreenScores::default();
        none.add(7, &s, &[]);
        assert_eq!(none.recall(), 0.0);
        let mut all = ScreenScores::default();
        all.add(
            7,
            &s,
            &s.labels
                .iter()
                .filter(|(_, l)| *l != Label::Keep)
                .map(|(r, _)| *r)
                .collect::<Vec<_>>(),
        );
        assert_eq!(all.recall(), 1.0);
        assert_eq!(all.keep.1, 0);
        for (r, _) in &s.labels {
            let dark = (r.y..r.bottom())
                .flat_map(|y| (r.x..r.right()).map(move |x| (x, y)))
                .filter(|&(x, y)| s.image.get_pixel(x, y) != s.image.get_pixel(r.x.saturating_sub(2), r.y))
                .count();
            assert!(dark > 0, "label {r:?} has no ink");
        }
    }
}
