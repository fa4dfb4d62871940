//! Redacts stdin line by line and prints each result with its spans (a debugging aid).
//!
//! `echo "Mr John Smith, NHS 943 476 5919" | cargo run -p candour-redact --example redact`

use std::io::BufRead;

fn main() -> std::io::Result<()> {
    let r = candour_redact::Redactor::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let out = r.redact(&line);
        println!("{}", out.text);
        for s in &out.spans {
            let text: String = line.chars().skip(s.start).take(s.end - s.start).collect();
            println!(
                "    {:>4}..{:<4} {:<15} {:.2} {:?}  ({})",
                s.start,
                s.end,
                s.kind.as_str(),
                s.score,
                text,
                s.reason
            );
        }
    }
    Ok(())
}
