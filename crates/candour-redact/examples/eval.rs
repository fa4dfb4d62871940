//! Scores the redactor on the synthetic corpus and measures throughput.
//!
//! `cargo run --release -p candour-redact --example eval -- [seed] [docs]`
//! (defaults: seeds 2026 and 7, 2,000 documents each).

use std::time::Instant;

use candour_redact::{eval, Redactor};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: Vec<u64> = match args.first().and_then(|s| s.parse().ok()) {
        Some(s) => vec![s],
        None => vec![2026, 7],
    };
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2_000);

    let t = Instant::now();
    let r = Redactor::new();
    println!("Redactor::new: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);

    for &seed in &seeds {
        let docs = eval::corpus(seed, n);
        println!("\n== corpus({seed}, {n}) ==");
        println!("{}", eval::score(&r, &docs));
    }
    for &seed in &seeds {
        let docs = eval::holdout(seed, n);
        println!("\n== holdout({seed}, {n}) ==");
        println!("{}", eval::score(&r, &docs));
    }

    let texts = eval::bench_texts(1);
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let mut rates = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut spans = 0;
        for text in &texts {
            spans += r.find(text).len();
        }
        let secs = t.elapsed().as_secs_f64();
        rates.push(texts.len() as f64 / secs);
        std::hint::black_box(spans);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "throughput: {} texts of ~{} words, median {:.0} texts/s on one thread",
        texts.len(),
        words / texts.len().max(1),
        rates[rates.len() / 2]
    );
}
