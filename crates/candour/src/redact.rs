//! `candour redact text`: the redaction engine on files and streams. The JSONL form is a contract used
//! by external evaluation: keep its shape exactly.

use crate::ops::CliError;
use candour_redact::Redactor;
use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct OutSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a serde_json::Value,
    redacted: String,
    spans: Vec<OutSpan>,
}

/// Redact JSONL from `input` to `output`. A line that is not `{"id": …, "text": "…"}` stops the run with
/// an error naming the line and the field; lines before it have been answered.
pub fn jsonl(r: &Redactor, input: impl BufRead, mut output: impl Write) -> Result<usize, CliError> {
    let mut n = 0;
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| CliError::Message(format!("line {}: not JSON: {e}", i + 1)))?;
        let id = v
            .get("id")
            .ok_or_else(|| CliError::Message(format!("line {}: field id is missing", i + 1)))?;
        let text = v
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| CliError::Message(format!("line {}: field text is missing or not a string", i + 1)))?;
        let red = r.redact(text);
        let out = OutLine {
            id,
            redacted: red.text,
            spans: red
                .spans
                .iter()
                .map(|s| OutSpan {
                    start: s.start,
                    end: s.end,
                    kind: s.kind.as_str(),
                })
                .collect(),
        };
        serde_json::to_writer(&mut output, &out)?;
        output.write_all(b"\n")?;
        n += 1;
    }
    output.flush()?;
    Ok(n)
}

/// The `candour redact text` command.
pub fn text(file: Option<&Path>, format: &str) -> Result<ExitCode, CliError> {
    let r = Redactor::new();
    match (format, file) {
        ("jsonl", None) => {
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            jsonl(&r, stdin.lock(), std::io::BufWriter::new(stdout.lock()))?;
        }
        ("jsonl", Some(_)) => {
            return Err(CliError::Message(
                "--format jsonl reads standard input; give no FILE".into(),
            ))
        }
        ("plain", Some(f)) => {
            let t = std::fs::read_to_string(f).map_err(|e| CliError::Message(format!("{}: {e}", f.display())))?;
            print!("{}", r.redact(&t).text);
        }
        ("plain", None) => {
            return Err(CliError::Message(
                "give a FILE to redact, or --format jsonl to read lines from standard input".into(),
            ))
        }
        (other, _) => return Err(CliError::Message(format!("--format {other}: use plain or jsonl"))),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CorpusSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

#[derive(Serialize)]
struct CorpusLine<'a> {
    id: &'a str,
    text: &'a str,
    spans: Vec<CorpusSpan>,
    keep: Vec<CorpusSpan>,
}

/// Write labelled documents as JSONL.
pub fn corpus_jsonl(docs: &[candour_redact::eval::Labelled], mut output: impl Write) -> Result<(), CliError> {
    for d in docs {
        let line = CorpusLine {
            id: &d.id,
            text: &d.text,
            spans: d
                .spans
                .iter()
                .map(|&(start, end, kind)| CorpusSpan {
                    start,
                    end,
                    kind: Some(kind.as_str()),
                })
                .collect(),
            keep: d
                .keep
                .iter()
                .map(|&(start, end)| CorpusSpan { start, end, kind: None })
                .collect(),
        };
        serde_json::to_writer(&mut output, &line)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(())
}

/// The `candour redact corpus` command.
pub fn corpus(seed: u64, n: usize, family: &str) -> Result<ExitCode, CliError> {
    let docs = match family {
        "main" => candour_redact::eval::corpus(seed, n),
        "holdout" => candour_redact::eval::holdout(seed, n),
        other => return Err(CliError::Message(format!("--family {other}: use main or holdout"))),
    };
    let stdout = std::io::stdout();
    corpus_jsonl(&docs, std::io::BufWriter::new(stdout.lock()))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct BoxOut<'a> {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    reason: &'a str,
}

#[derive(Serialize)]
struct ImageOut<'a> {
    width: u32,
    height: u32,
    words_read: usize,
    boxes: Vec<BoxOut<'a>>,
}

fn image_json(r: &candour_image::RedactedImage) -> Result<String, CliError> {
    let out = ImageOut {
        width: r.width,
        height: r.height,
        words_read: r.words_read,
        boxes: r
            .boxes
            .iter()
            .map(|b| BoxOut {
                x: b.rect.x,
                y: b.rect.y,
                w: b.rect.w,
                h: b.rect.h,
                kind: &b.kind,
                reason: &b.reason,
            })
            .collect(),
    };
    Ok(serde_json::to_string(&out)?)
}

fn is_image(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("png" | "jpg" | "jpeg" | "webp")
    )
}

/// The `candour redact image` command.
pub fn image(input: &Path, output: &Path, context: Option<&Path>) -> Result<ExitCode, CliError> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| CliError::Message(format!("{}: {e}", p.display())));
    let context = match context {
        Some(c) => String::from_utf8_lossy(&read(c)?).into_owned(),
        None => String::new(),
    };
    let ocr = candour_image::ocr::Tesseract::new(None).map_err(|e| CliError::Message(e.to_string()))?;
    let text = Redactor::new();
    let limits = candour_image::Limits::default();
    let one = |bytes: &[u8]| {
        candour_image::redact(bytes, &limits, &ocr, &text, &[context.as_str()])
            .map_err(|e| CliError::Message(e.to_string()))
    };
    if !input.is_dir() {
        let r = one(&read(input)?).map_err(|e| CliError::Message(format!("{}: {e}", input.display())))?;
        std::fs::write(output, &r.png).map_err(|e| CliError::Message(format!("{}: {e}", output.display())))?;
        println!("{}", image_json(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(output).map_err(|e| CliError::Message(format!("{}: {e}", output.display())))?;
    let mut files: Vec<_> = std::fs::read_dir(input)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_image(p))
        .collect();
    files.sort();
    let mut times = Vec::new();
    for f in &files {
        let bytes = read(f)?;
        let t = std::time::Instant::now();
        let r = one(&bytes).map_err(|e| CliError::Message(format!("{}: {e}", f.display())))?;
        times.push(t.elapsed().as_secs_f64());
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("image");
        std::fs::write(output.join(format!("{stem}.png")), &r.png)?;
        std::fs::write(output.join(format!("{stem}.boxes.json")), image_json(&r)?)?;
    }
    times.sort_by(f64::total_cmp);
    if let Some(m) = times.get(times.len() / 2) {
        println!("{} images, median {:.3} s per image (one core)", files.len(), m);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `candour redact screens` command.
pub fn screens(dir: &Path, first: u64, count: u64) -> Result<ExitCode, CliError> {
    use candour_image::synth;
    let fonts = synth::Fonts::load().map_err(|e| CliError::Message(e.to_string()))?;
    std::fs::create_dir_all(dir)?;
    for seed in first..first + count {
        let s = synth::screen(&fonts, seed);
        let png = candour_image::encode_png(&s.image).map_err(|e| CliError::Message(e.to_string()))?;
        std::fs::write(dir.join(format!("{seed}.png")), png)?;
        let labels: Vec<BoxOut> = s
            .labels
            .iter()
            .map(|(r, l)| BoxOut {
                x: r.x,
                y: r.y,
                w: r.w,
                h: r.h,
                kind: l.as_str(),
                reason: "",
            })
            .collect();
        std::fs::write(dir.join(format!("{seed}.json")), serde_json::to_string(&labels)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_answers_each_line_with_char_offsets_into_the_original() {
        let r = Redactor::new();
        let input = "{\"id\": 1, \"text\": \"Zoë's NHS number is 943 476 5919.\"}\n\n{\"id\": \"b\", \"text\": \"No identifiers: 500 mg TDS at 14:30.\"}\n";
        let mut out = Vec::new();
        assert_eq!(jsonl(&r, input.as_bytes(), &mut out).unwrap(), 2);
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["id"], 1);
        let span = lines[0]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["type"] == "NHS_NUMBER")
            .unwrap();
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        let original: Vec<char> = "Zoë's NHS number is 943 476 5919.".chars().collect();
        assert_eq!(original[start..end].iter().collect::<String>(), "943 476 5919");
        assert!(lines[0]["redacted"].as_str().unwrap().contains("[NHS NUMBER]"));
        assert_eq!(lines[1]["redacted"], "No identifiers: 500 mg TDS at 14:30.");
        assert_eq!(lines[1]["spans"], serde_json::json!([]));
        assert_eq!(
            lines[0].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["id", "redacted", "spans"]
        );
    }

    #[test]
    fn corpus_lines_carry_labels_that_point_at_the_identifiers() {
        let docs = candour_redact::eval::corpus(5, 20);
        let mut out = Vec::new();
        corpus_jsonl(&docs, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 20);
        let mut nhs = 0;
        for (line, doc) in text.lines().zip(&docs) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let chars: Vec<char> = v["text"].as_str().unwrap().chars().collect();
            for s in v["spans"].as_array().unwrap() {
                let (a, b) = (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                );
                let found: String = chars[a..b].iter().collect();
                if s["type"] == "NHS_NUMBER" {
                    nhs += 1;
                    assert!(found.chars().filter(char::is_ascii_digit).count() == 10, "{found}");
                }
            }
            assert_eq!(v["spans"].as_array().unwrap().len(), doc.spans.len());
        }
        assert!(nhs > 0);
    }

    #[test]
    fn a_bad_line_names_the_line_and_field() {
        let r = Redactor::new();
        let e = jsonl(&r, "{\"id\": 1}\n".as_bytes(), Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "line 1: field text is missing or not a string");
        let e = jsonl(&r, "{\"id\": 1, \"text\": \"ok\"}\nnope\n".as_bytes(), Vec::new()).unwrap_err();
        assert!(e.to_string().starts_with("line 2: not JSON"), "{e}");
    }
}
