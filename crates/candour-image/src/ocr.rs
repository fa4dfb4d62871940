//! OCR behind a trait. [`Tesseract`] is the real engine (Debian's Tesseract 5 through the `tesseract`
//! crate, page segmentation mode 11 "sparse text", which suits UI screenshots); tests of the redaction
//! logic can give words directly.
//!
//! Tesseract's LSTM uses OpenMP, and with more than one thread on a small machine it is several times
//! slower (domain notes §7.3). libgomp reads `OMP_THREAD_LIMIT` when it is loaded, before `main`, so the
//! variable must be in the environment of the process: the `candour` binary re-executes itself with it
//! set, and `.cargo/config.toml` sets it for tests.

use crate::Rect;
use image::RgbImage;

/// One word the OCR engine read, in image pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub rect: Rect,
    pub text: String,
    /// Confidence 0-100 as Tesseract reports it.
    pub conf: f32,
}

/// Why OCR failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("OCR failed: {0}")]
pub struct OcrError(pub String);

/// Something that reads the words of an image.
pub trait Ocr: Send + Sync {
    fn words(&self, img: &RgbImage) -> Result<Vec<Word>, OcrError>;
}

/// Parse Tesseract's TSV output (level page block par line word left top width height conf text) into
/// words. Lines are rebuilt from the geometry by the redactor, not taken from Tesseract's layout.
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for row in tsv.lines() {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<i64>().ok();
        let (Some(left), Some(top), Some(width), Some(height)) = (num(6), num(7), num(8), num(9)) else {
            continue;
        };
        let text = f[11].trim();
        if text.is_empty() || width <= 0 || height <= 0 {
            continue;
        }
        let conf = f[10].trim().parse::<f32>().unwrap_or(0.0);
        words.push(Word {
            rect: Rect {
                x: left.max(0) as u32,
                y: top.max(0) as u32,
                w: width as u32,
                h: height as u32,
            },
            text: text.to_string(),
            conf,
        });
    }
    words
}

#[cfg(feature = "tesseract")]
pub use real::Tesseract;

#[cfg(feature = "tesseract")]
mod real {
    use super::{parse_tsv, Ocr, OcrError, Word};
    use image::RgbImage;
    use std::sync::Mutex;

    /// Tesseract 5 with the English model from the system tessdata folder. Engines are kept in a small
    /// pool (loading the model takes tens of milliseconds) and one is used per image at a time.
    pub struct Tesseract {
        datapath: Option<String>,
        pool: Mutex<Vec<tesseract::Tesseract>>,
    }

    impl Tesseract {
        /// Check that the engine and its English model load; `datapath` None is the system default.
        pub fn new(datapath: Option<String>) -> Result<Tesseract, OcrError> {
            let t = Tesseract {
                datapath,
                pool: Mutex::new(Vec::new()),
            };
            let engine = t.engine()?;
            t.give_back(engine);
            Ok(t)
        }

        fn engine(&self) -> Result<tesseract::Tesseract, OcrError> {
            if let Some(e) = self.pool.lock().ok().and_then(|mut p| p.pop()) {
                return Ok(e);
            }
            // Inverted-text detection stays on: without it white-on-blue banners go unread.
            let e = tesseract::Tesseract::new(self.datapath.as_deref(), Some("eng"))
                .map_err(|e| OcrError(format!("Tesseract did not start with the English model: {e}")))?
                .set_variable("debug_file", "/dev/null")
                .map_err(|e| OcrError(e.to_string()))?;
            let mut e = e;
            e.set_page_seg_mode(tesseract::PageSegMode::PsmSparseText);
            Ok(e)
        }

        fn give_back(&self, e: tesseract::Tesseract) {
            if let Ok(mut p) = self.pool.lock() {
                if p.len() < 4 {
                    p.push(e);
                }
            }
        }
    }

    /// Screens are read enlarged (CANDOUR_OCR_SCALE, default 1.5; 2 reads a little better and takes half as
    /// long again) when no larger than a 1920×1200 screen: interface text of 12-16 px is below the x-height
    /// Tesseract's model was trained on, and misreads ("Addre", "lope" for "Hope") defeat the labels
    /// and name rules.
    fn scale_for(img: &RgbImage) -> f32 {
        let want = std::env::var("CANDOUR_OCR_SCALE")
            .ok()
            .and_then(|s| s.parse::<f32>().ok())
            .unwrap_or(1.5)
            .clamp(1.0, 3.0);
        let (w, h) = img.dimensions();
        if u64::from(w) * u64::from(h) <= 1920 * 1200 {
            want
        } else {
            1.0
        }
    }

    impl Ocr for Tesseract {
        fn words(&self, img: &RgbImage) -> Result<Vec<Word>, OcrError> {
            let scale = scale_for(img);
            // Grey first (Tesseract would do it anyway), so the enlargement handles one channel, not three.
            let grey = image::imageops::grayscale(img);
            let img = if scale > 1.0 {
                let (w, h) = grey.dimensions();
                let (sw, sh) = ((w as f32 * scale).round() as u32, (h as f32 * scale).round() as u32);
                image::imageops::resize(&grey, sw, sh, image::imageops::FilterType::Triangle)
            } else {
                grey
            };
            let (w, h) = img.dimensions();
            let (wi, hi) = (
                i32::try_from(w).map_err(|_| OcrError("image too wide".into()))?,
                i32::try_from(h).map_err(|_| OcrError("image too tall".into()))?,
            );
            let engine = self.engine()?;
            let mut engine = engine
                .set_frame(img.as_raw(), wi, hi, 1, wi)
                .map_err(|e| OcrError(e.to_string()))?
                .recognize()
                .map_err(|e| OcrError(e.to_string()))?;
            let tsv = engine.get_tsv_text(0).map_err(|e| OcrError(e.to_string()))?;
            self.give_back(engine);
            let mut words = parse_tsv(&tsv);
            if scale > 1.0 {
                for w in &mut words {
                    let r = &mut w.rect;
                    let (x, y) = ((r.x as f32 / scale).floor() as u32, (r.y as f32 / scale).floor() as u32);
                    r.w = ((r.right() as f32 / scale).ceil() as u32).saturating_sub(x);
                    r.h = ((r.bottom() as f32 / scale).ceil() as u32).saturating_sub(y);
                    r.x = x;
                    r.y = y;
                }
            }
            Ok(words)
        }
    }
}
