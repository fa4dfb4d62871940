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
    fn a_bad_line_names_the_line_and_field() {
        let r = Redactor::new();
        let e = jsonl(&r, "{\"id\": 1}\n".as_bytes(), Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "line 1: field text is missing or not a string");
        let e = jsonl(&r, "{\"id\": 1, \"text\": \"ok\"}\nnope\n".as_bytes(), Vec::new()).unwrap_err();
        assert!(e.to_string().starts_with("line 2: not JSON"), "{e}");
    }
}
