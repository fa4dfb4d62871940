//! Print what the OCR reads on a synthetic screen (for tuning; prints identifiers: synthetic only).
use candour_image::ocr::{Ocr, Tesseract};
use candour_image::synth::{screen, Fonts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let s = screen(&Fonts::load()?, seed);
    for w in Tesseract::new(None)?.words(&s.image)? {
        println!(
            "{:>4},{:>4} {:>3}x{:<3} {:>5.1} {}",
            w.rect.x, w.rect.y, w.rect.w, w.rect.h, w.conf, w.text
        );
    }
    for (r, l) in &s.labels {
        println!("label {:?} {:?}", l, r);
    }
    Ok(())
}
