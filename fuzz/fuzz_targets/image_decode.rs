//! The screenshot decoder on arbitrary bytes: a clear error or an image within the limits, never a panic,
//! never an allocation past the cap; what decodes re-encodes, and boxes can be drawn on it.
#![no_main]
use candour_image::{add_boxes, decode, encode_png, Limits, Rect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_side: 4096,
        max_pixels: 4_000_000,
        max_bytes: 2 * 1024 * 1024,
        max_alloc: 64 * 1024 * 1024,
    };
    if let Ok(img) = decode(data, &limits) {
        let (w, h) = img.dimensions();
        assert!(w <= limits.max_side && h <= limits.max_side);
        assert!(u64::from(w) * u64::from(h) <= limits.max_pixels);
        if let Ok(png) = encode_png(&img) {
            let boxes = [Rect {
                x: w / 3,
                y: h / 3,
                w: w / 2 + 1,
                h: h / 2 + 1,
            }];
            let (out, drawn) = add_boxes(&png, &limits, &boxes).expect("a box inside an image we made is drawn");
            assert_eq!(drawn.len(), 1);
            assert!(decode(&out, &limits).is_ok());
        }
    }
});
