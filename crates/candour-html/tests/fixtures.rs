//! Every ported component against the fixtures nhsuk-frontend ships (`components/<name>/fixtures.json`):
//! each fixture's `context` is deserialized into the component's params, rendered, and compared with the
//! fixture's `html` after whitespace normalisation.
//!
//! Supported fixtures must also match with whitespace runs merely collapsed (not removed next to tags),
//! because whitespace between inline elements shows in the browser.
//!
//! A fixture must either match or be listed in the component's `UNSUPPORTED` list with a reason; a listed
//! fixture that matches (or no longer exists) fails the test too, so the lists stay honest. Fixtures with
//! duplicate names are told apart as `name (#2)`, `name (#3)`, … in order of appearance.
//!
//! The fixtures come from `$NHSUK_FRONTEND_DIR/components` (default: the workspace's
//! `node_modules/nhsuk-frontend/dist/nhsuk`, installed by `npm ci`).

// Test helpers outside `#[test]` functions fail the test by panicking.
#![allow(clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;

use candour_html::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct FixtureFile {
    fixtures: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    name: String,
    context: Box<RawValue>,
    html: String,
    #[serde(rename = "callBlock")]
    call_block: Option<String>,
}

/// Collapse whitespace runs to one space, drop whitespace directly after `>` or before `<`, trim.
fn normalise(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut pending_space = false;
    for ch in html.chars() {
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with('>') && ch != '<' {
            out.push(' ');
        }
        pending_space = false;
        out.push(ch);
    }
    out
}

/// Only collapse whitespace runs to one space and trim. Whitespace between inline elements is visible in
/// the browser, so supported fixtures must match this way too (a stricter check than `normalise`).
fn collapse(html: &str) -> String {
    html.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn frontend_dir() -> PathBuf {
    match std::env::var_os("NHSUK_FRONTEND_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/nhsuk-frontend/dist/nhsuk"),
    }
}

type Render = fn(&str, Option<&str>) -> Result<String, String>;

fn parse<P: DeserializeOwned>(context: &str) -> Result<P, String> {
    serde_json::from_str(context).map_err(|e| format!("params rejected: {e}"))
}

/// Check one component's fixtures.
fn check(component: &str, unsupported: &[(&str, &str)], render: Render) {
    let path = frontend_dir().join("components").join(component).join("fixtures.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{}: {e}; the nhsuk-frontend fixtures are missing: run `npm ci` in the workspace root \
                     (or set NHSUK_FRONTEND_DIR)",
                    path.display()
                );
            }
            eprintln!(
                "note: skipping {component} fixtures: {} not found (run `npm ci` in the workspace root)",
                path.display()
            );
            return;
        }
    };
    let file: FixtureFile = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut failures = Vec::new();
    let mut keys = Vec::new();
    let mut supported = 0;
    for fixture in &file.fixtures {
        let n = seen.entry(fixture.name.as_str()).or_insert(0);
        *n += 1;
        let key = if *n == 1 {
            fixture.name.clone()
        } else {
            format!("{} (#{n})", fixture.name)
        };
        let listed = unsupported.iter().find(|(name, _)| *name == key);
        let result = render(fixture.context.get(), fixture.call_block.as_deref());
        let expected = normalise(&fixture.html);
        let matched = matches!(&result, Ok(html) if normalise(html) == expected);
        match (matched, listed) {
            (true, None) => {
                supported += 1;
                if let Ok(html) = &result {
                    if collapse(html) != collapse(&fixture.html) {
                        failures.push(format!(
                            "{component} / {key:?} matches only when whitespace next to tags is ignored\n  \
                             expected: {}\n  actual:   {}",
                            collapse(&fixture.html),
                            collapse(html)
                        ));
                    }
                }
            }
            (false, Some(_)) => {}
            (true, Some((_, reason))) => failures.push(format!(
                "{component} / {key:?}: listed as unsupported ({reason}) but now matches; remove it from the list"
            )),
            (false, None) => {
                let actual = match &result {
                    Ok(html) => normalise(html),
                    Err(e) => format!("<error: {e}>"),
                };
                failures.push(format!(
                    "{component} / {key:?} does not match\n  context:  {}\n  expected: {expected}\n  actual:   {actual}",
                    fixture.context.get()
                ));
            }
        }
        keys.push(key);
    }
    for (name, _) in unsupported {
        if !keys.iter().any(|k| k == name) {
            failures.push(format!(
                "{component} / {name:?}: listed as unsupported but there is no such fixture"
            ));
        }
    }
    let total = file.fixtures.len();
    eprintln!("{component}: {supported}/{total} fixtures supported");
    if supported * 10 < total * 9 {
        failures.push(format!(
            "{component}: only {supported}/{total} fixtures supported (aim: at least 90%)"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A component whose macro takes a call block.
macro_rules! with_caller {
    ($ty:ty) => {
        |context, caller| {
            let p: $ty = parse(context)?;
            Ok(match caller {
                Some(c) => p.render_with_caller(c),
                None => p.render(),
            })
        }
    };
}

/// A component without call block support.
macro_rules! no_caller {
    ($ty:ty) => {
        |context, caller| {
            if caller.is_some() {
                return Err("call blocks are not supported".to_owned());
            }
            let p: $ty = parse(context)?;
            Ok(p.render())
        }
    };
}

// One module per component: its fixtures, and the fixtures it does not support (none at present:
// every fixture of every ported component matches). Heading, legend and scroll are not on their own
// in Candour's list but are ported as building blocks of the others, so their fixtures run too.

mod button {
    use super::*;

    /// Fixtures of `button` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("button", UNSUPPORTED, with_caller!(ButtonParams));
    }
}

mod back_link {
    use super::*;

    /// Fixtures of `back-link` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("back-link", UNSUPPORTED, with_caller!(BackLinkParams));
    }
}

mod label {
    use super::*;

    /// Fixtures of `label` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("label", UNSUPPORTED, with_caller!(LabelParams));
    }
}

mod hint {
    use super::*;

    /// Fixtures of `hint` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("hint", UNSUPPORTED, with_caller!(HintParams));
    }
}

mod error_message {
    use super::*;

    /// Fixtures of `error-message` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("error-message", UNSUPPORTED, with_caller!(ErrorMessageParams));
    }
}

mod fieldset {
    use super::*;

    /// Fixtures of `fieldset` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("fieldset", UNSUPPORTED, with_caller!(FieldsetParams));
    }
}

mod input {
    use super::*;

    /// Fixtures of `input` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("input", UNSUPPORTED, no_caller!(InputParams));
    }
}

mod textarea {
    use super::*;

    /// Fixtures of `textarea` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("textarea", UNSUPPORTED, no_caller!(TextareaParams));
    }
}

mod radios {
    use super::*;

    /// Fixtures of `radios` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("radios", UNSUPPORTED, no_caller!(RadiosParams));
    }
}

mod checkboxes {
    use super::*;

    /// Fixtures of `checkboxes` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("checkboxes", UNSUPPORTED, no_caller!(CheckboxesParams));
    }
}

mod error_summary {
    use super::*;

    /// Fixtures of `error-summary` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("error-summary", UNSUPPORTED, with_caller!(ErrorSummaryParams));
    }
}

mod summary_list {
    use super::*;

    /// Fixtures of `summary-list` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("summary-list", UNSUPPORTED, with_caller!(SummaryListParams));
    }
}

mod tag {
    use super::*;

    /// Fixtures of `tag` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("tag", UNSUPPORTED, with_caller!(TagParams));
    }
}

mod inset_text {
    use super::*;

    /// Fixtures of `inset-text` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("inset-text", UNSUPPORTED, with_caller!(InsetTextParams));
    }
}

mod warning_callout {
    use super::*;

    /// Fixtures of `warning-callout` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("warning-callout", UNSUPPORTED, with_caller!(WarningCalloutParams));
    }
}

mod skip_link {
    use super::*;

    /// Fixtures of `skip-link` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("skip-link", UNSUPPORTED, with_caller!(SkipLinkParams));
    }
}

mod tables {
    use super::*;

    /// Fixtures of `tables` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("tables", UNSUPPORTED, no_caller!(TableParams));
    }
}

mod notification_banner {
    use super::*;

    /// Fixtures of `notification-banner` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check(
            "notification-banner",
            UNSUPPORTED,
            with_caller!(NotificationBannerParams),
        );
    }
}

mod character_count {
    use super::*;

    /// Fixtures of `character-count` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("character-count", UNSUPPORTED, no_caller!(CharacterCountParams));
    }
}

mod date_input {
    use super::*;

    /// Fixtures of `date-input` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("date-input", UNSUPPORTED, no_caller!(DateInputParams));
    }
}

mod file_upload {
    use super::*;

    /// Fixtures of `file-upload` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("file-upload", UNSUPPORTED, no_caller!(FileUploadParams));
    }
}

mod card {
    use super::*;

    /// Fixtures of `card` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("card", UNSUPPORTED, with_caller!(CardParams));
    }
}

mod header {
    use super::*;

    /// Fixtures of `header` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("header", UNSUPPORTED, no_caller!(HeaderParams));
    }
}

mod footer {
    use super::*;

    /// Fixtures of `footer` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("footer", UNSUPPORTED, with_caller!(FooterParams));
    }
}

mod heading {
    use super::*;

    /// Fixtures of `heading` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("heading", UNSUPPORTED, with_caller!(HeadingParams));
    }
}

mod legend {
    use super::*;

    /// Fixtures of `legend` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("legend", UNSUPPORTED, with_caller!(LegendParams));
    }
}

mod scroll {
    use super::*;

    /// Fixtures of `scroll` that are not supported, with the reason.
    const UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn fixtures() {
        check("scroll", UNSUPPORTED, with_caller!(ScrollParams));
    }
}

#[test]
fn normalise_whitespace() {
    assert_eq!(normalise("  <p>\n  a   b\n</p>\n<p> c </p> "), "<p>a b</p><p>c</p>");
    assert_eq!(normalise("<span>Error: </span>Text"), "<span>Error:</span>Text");
    assert_eq!(collapse("  <p>\n  a   b\n</p>\n<p> c </p> "), "<p> a b </p> <p> c </p>");
}
