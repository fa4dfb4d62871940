//! The evaluation quality gate (domain reference §5.3) on the synthetic corpus.
//!
//! Run with figures printed:
//! `cargo test -p candour-redact --release --test eval -- --nocapture`

use candour_redact::eval::{self, Scores};
use candour_redact::{Kind, Redactor};

/// Structured identifiers that must never be missed.
const STRUCTURED: [Kind; 7] = [
    Kind::NhsNumber,
    Kind::Chi,
    Kind::NiNumber,
    Kind::Postcode,
    Kind::Phone,
    Kind::Email,
    Kind::DateOfBirth,
];

fn assert_structured_perfect(s: &Scores, label: &str) {
    for k in STRUCTURED {
        assert_eq!(s.recall_of(k), Some(1.0), "{label}: {k} recall\n{s}");
    }
}

#[test]
fn eval_quality_gate_corpus_2026() {
    let r = Redactor::new();
    let s = eval::score(&r, &eval::corpus(2026, 2000));
    println!("== corpus(2026, 2000) ==\n{s}");
    assert!(s.recall >= 0.99, "overall recall {}\n{s}", s.recall);
    assert_structured_perfect(&s, "corpus(2026)");
    assert!(s.recall_of(Kind::Name).unwrap_or(0.0) >= 0.97, "name recall\n{s}");
    assert!(s.precision >= 0.75, "precision {}\n{s}", s.precision);
    assert!(
        s.keep_damaged_rate() <= 0.02,
        "must-keep damage {}\n{s}",
        s.keep_damaged_rate()
    );
}

#[test]
fn eval_other_seed_and_holdout() {
    // A regression guard on data the gate does not see: another seed of the main
    // family, and the held-out family (different templates, names and vocabulary).
    let r = Redactor::new();
    let s7 = eval::score(&r, &eval::corpus(7, 2000));
    println!("== corpus(7, 2000) ==\n{s7}");
    assert!(s7.recall >= 0.99, "{s7}");
    assert_structured_perfect(&s7, "corpus(7)");
    assert!(s7.keep_damaged_rate() <= 0.02, "{s7}");

    for seed in [2026, 7] {
        let h = eval::score(&r, &eval::holdout(seed, 2000));
        println!("== holdout({seed}, 2000) ==\n{h}");
        assert!(h.recall >= 0.985, "{h}");
        assert_structured_perfect(&h, "holdout");
        assert!(h.recall_of(Kind::Name).unwrap_or(0.0) >= 0.98, "{h}");
        assert!(h.precision >= 0.75, "{h}");
        assert!(h.keep_damaged_rate() <= 0.02, "{h}");
    }
}
