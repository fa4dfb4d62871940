//! Strict decoding: only PNG, JPEG and WebP, recognised by their first bytes (never by a name or a
//! declared type), with the dimensions checked from the header before any pixel is decoded, and the
//! decoder's allocations capped. The result is plain RGB pixels: whatever metadata the file carried
//! (EXIF with GPS and device, text chunks, ICC profiles, thumbnails) is left behind.

use image::{ImageDecoder, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;

/// The limits a screenshot must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest width or height in pixels.
    pub max_side: u32,
    /// Largest number of pixels (width × height).
    pub max_pixels: u64,
    /// Largest encoded size in bytes.
    pub max_bytes: usize,
    /// Most memory the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for Limits {
    /// 8,192 px a side, 40 megapixels (a 4K screen is 8.3), 10 MB files, 256 MiB of decoder memory.
    fn default() -> Self {
        Limits {
            max_side: 8_192,
            max_pixels: 40_000_000,
            max_bytes: 10 * 1024 * 1024,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// Why an image was refused. The messages are shown to the person who uploaded it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the file is not a PNG, JPEG or WebP image")]
    UnsupportedType,
    #[error(
        "the image is {width}×{height} pixels; the limit is {max_side} pixels a side and {max_pixels} pixels in all"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error("the image could not be read: {0}")]
    Malformed(String),
}

/// The image formats accepted, from the first bytes of the file.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// The media type of an accepted image, from its first bytes.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    sniff(bytes).map(|f| match f {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        _ => "image/webp",
    })
}

/// Decode a screenshot to RGB pixels within `limits`.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<RgbImage, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes).ok_or(DecodeError::UnsupportedType)?;
    let reader = |sides: bool| {
        let mut r = ImageReader::with_format(Cursor::new(bytes), format);
        let mut l = image::Limits::default();
        if sides {
            l.max_image_width = Some(limits.max_side);
            l.max_image_height = Some(limits.max_side);
        }
        l.max_alloc = Some(limits.max_alloc);
        r.limits(l);
        r
    };
    // The header first: a decompression bomb declares its size before it expands.
    let (width, height) = reader(false).into_dimensions().map_err(|e| refused(e, limits))?;
    let too_many = DecodeError::TooManyPixels {
        width,
        height,
        max_side: limits.max_side,
        max_pixels: limits.max_pixels,
    };
    if width == 0 || height == 0 {
        return Err(DecodeError::Malformed("it has no pixels".into()));
    }
    if width > limits.max_side || height > limits.max_side || u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many);
    }
    // Upright as the camera meant it (EXIF orientation): a sideways phone photo of a screen is
    // unreadable to OCR, and what OCR cannot read it cannot box.
    let mut decoder = reader(true).into_decoder().map_err(|e| refused(e, limits))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| refused(e, limits))?;
    img.apply_orientation(orientation);
    Ok(img.into_rgb8())
}

fn refused(e: image::ImageError, limits: &Limits) -> DecodeError {
    match e {
        image::ImageError::Limits(l) => DecodeError::Malformed(format!(
            "it exceeds the decoding limits ({l}; at most {} pixels a side)",
            limits.max_side
        )),
        other => DecodeError::Malformed(other.to_string()),
    }
}

/// Encode pixels as PNG: a new file made from the pixels alone, so nothing of the original (metadata,
/// trailing bytes, other frames) is carried over.
pub fn encode_png(img: &RgbImage) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| DecodeError::Malformed(format!("could not encode PNG: {e}")))?;
    Ok(out)
}
