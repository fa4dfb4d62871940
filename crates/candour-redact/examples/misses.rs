//! Lists every missed identifier and every damaged must-keep token on a corpus
//! (a debugging aid for tuning the detectors).
//!
//! `cargo run --release -p candour-redact --example misses -- [seed] [docs]`

use candour_redact::{eval, Redactor};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let r = Redactor::new();
    let docs = if std::env::var_os("HOLDOUT").is_some() {
        eval::holdout(seed, n)
    } else {
        eval::corpus(seed, n)
    };
    for d in docs {
        let chars: Vec<char> = d.text.chars().collect();
        let spans = r.find(&d.text);
        let covered = |i: usize| spans.iter().any(|s| s.start <= i && i < s.end);
        let ctx = |s: usize, e: usize| -> String {
            chars[s.saturating_sub(40)..(e + 40).min(chars.len())]
                .iter()
                .collect::<String>()
                .replace('\n', "⏎")
        };
        for &(s, e, k) in &d.spans {
            if !(s..e).all(covered) {
                let t: String = chars[s..e].iter().collect();
                println!("MISS {:<15} {:?}  in  {:?}", k.as_str(), t, ctx(s, e));
            }
        }
        for &(s, e) in &d.keep {
            if (s..e).any(covered) {
                let t: String = chars[s..e].iter().collect();
                let by: Vec<String> = spans
                    .iter()
                    .filter(|p| p.start < e && p.end > s)
                    .map(|p| format!("{}:{}", p.kind.as_str(), p.reason))
                    .collect();
                println!("KEEP {:?} by {:?}  in  {:?}", t, by, ctx(s, e));
            }
        }
    }
}
