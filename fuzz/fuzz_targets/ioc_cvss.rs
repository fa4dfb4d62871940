//! The indicator extractor and the CVSS parser on arbitrary input: never panic; every extracted indicator
//! is a valid value of its kind (re-parsing it gives it back), lies within the text, and the same text
//! always gives the same indicators; any vector that parses scores between 0 and 10.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let found = candour_ioc::extract(&text);
    for i in &found {
        assert!(i.start <= i.end && i.end <= text.len(), "span {i:?} outside {} bytes", text.len());
        let again = candour_ioc::parse(i.kind, &i.value);
        assert_eq!(again.as_deref(), Ok(i.value.as_str()), "{i:?} does not re-parse as itself");
        let _ = candour_ioc::excluded(i);
    }
    assert_eq!(found, candour_ioc::extract(&text), "extraction is deterministic");
    for k in candour_ioc::Kind::ALL {
        let _ = candour_ioc::parse(k, &text);
    }
    if let Ok(s) = candour_core::scoring::cvss(&text) {
        assert!((0.0..=10.0).contains(&s.score), "{text:?} scored {}", s.score);
    }
});
