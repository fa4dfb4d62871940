//! Cell formats shared by xlsx and CSV: controls, dates, statuses and the CSV formula guard.

use candour_core::clinical::{Control, ControlKind, ControlState, HazardStatus, Implementer};
use chrono::NaiveDate;

fn implementer_word(i: Implementer) -> &'static str {
    match i {
        Implementer::Manufacturer => "manufacturer",
        Implementer::HealthOrganisation => "health organisation",
        Implementer::ThirdParty => "third party",
    }
}

fn state_word(s: ControlState) -> &'static str {
    match s {
        ControlState::Planned => "planned",
        ControlState::Implemented => "implemented",
        ControlState::Verified => "verified",
    }
}

/// Lower-case, single-spaced, `_` and `-` read as spaces.
fn norm(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn parse_implementer(s: &str) -> Option<Implementer> {
    match norm(s).as_str() {
        "manufacturer" | "supplier" => Some(Implementer::Manufacturer),
        "health organisation" | "health organization" | "organisation" | "organization" | "deployer" => {
            Some(Implementer::HealthOrganisation)
        }
        "third party" | "3rd party" => Some(Implementer::ThirdParty),
        _ => None,
    }
}

fn parse_state(s: &str) -> Option<ControlState> {
    match norm(s).as_str() {
        "planned" => Some(ControlState::Planned),
        "implemented" => Some(ControlState::Implemented),
        "verified" => Some(ControlState::Verified),
        _ => None,
    }
}

/// One line of text: line breaks become spaces.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A control as one line of its kind's column:
/// `Description [implementer; state; evidence: a | b; effective; from H-012]`. The evidence part is
/// written when there is evidence, `effective` when its effectiveness is verified, `from` when it was
/// transferred from another hazard. The kind is the column's.
pub fn control_line(c: &Control) -> String {
    let mut s = one_line(&c.description);
    s.push_str(" [");
    s.push_str(implementer_word(c.implementer));
    s.push_str("; ");
    s.push_str(state_word(c.state));
    let evidence: Vec<String> = c
        .evidence
        .iter()
        .map(|e| one_line(e))
        .filter(|e| !e.is_empty())
        .collect();
    if !evidence.is_empty() {
        s.push_str("; evidence: ");
        s.push_str(&evidence.join(" | "));
    }
    if c.effectiveness_verified {
        s.push_str("; effective");
    }
    if let Some(from) = &c.transferred_from {
        s.push_str("; from ");
        s.push_str(&one_line(from));
    }
    s.push(']');
    s
}

/// Where the bracketed details of a control line start, if it has any: the last `[` followed by an
/// implementer (as [`control_line`] writes), or else the last `[` of a line ending in `]`.
fn details_start(line: &str) -> Option<usize> {
    if !line.ends_with(']') {
        return None;
    }
    let opens: Vec<usize> = line.match_indices('[').map(|(i, _)| i).collect();
    let written = opens.iter().rev().find(|&&i| {
        let rest = &line[i + 1..];
        let first = rest.split([';', ']']).next().unwrap_or("");
        parse_implementer(first).is_some()
    });
    written.or(opens.last()).copied()
}

/// Is `s` meant as control details (rather than a bracket in a description)?
fn looks_like_details(inner: &str) -> bool {
    inner.contains(';')
        || inner.split(';').any(|t| {
            let t = t.trim();
            parse_implementer(t).is_some()
                || parse_state(t).is_some()
                || norm(t) == "effective"
                || norm(t).starts_with("evidence:")
        })
}

/// Parse one line of a control column (see [`control_line`]). A line without details imports as a control
/// the manufacturer plans, as a sheet from another tool would have it.
pub fn parse_control_line(line: &str, kind: ControlKind) -> Result<Control, String> {
    let line = line.trim();
    let mut control = Control {
        description: line.to_string(),
        kind,
        implementer: Implementer::Manufacturer,
        state: ControlState::Planned,
        evidence: Vec::new(),
        effectiveness_verified: false,
        transferred_from: None,
    };
    let Some(start) = details_start(line) else {
        return Ok(control);
    };
    let inner = &line[start + 1..line.len() - 1];
    if !looks_like_details(inner) {
        return Ok(control);
    }
    control.description = line[..start].trim().to_string();
    let mut problems = Vec::new();
    let (mut implementer, mut state) = (None, None);
    let mut in_evidence = false;
    for token in inner.split(';') {
        let t = token.trim();
        if t.is_empty() {
            continue;
        }
        let lower = t.to_lowercase();
        if let Some(i) = parse_implementer(t) {
            in_evidence = false;
            if implementer.replace(i).is_some() {
                problems.push(format!("'{t}': the control has two implementers"));
            }
        } else if let Some(s) = parse_state(t) {
            in_evidence = false;
            if state.replace(s).is_some() {
                problems.push(format!("'{t}': the control has two states"));
            }
        } else if norm(t) == "effective" {
            in_evidence = false;
            control.effectiveness_verified = true;
        } else if let Some(e) = lower.strip_prefix("evidence:").map(|_| &t["evidence:".len()..]) {
            in_evidence = true;
            control
                .evidence
                .extend(e.split('|').map(str::trim).filter(|x| !x.is_empty()).map(String::from));
        } else if lower.starts_with("from ") {
            in_evidence = false;
            let from = t[5..].trim();
            if from.is_empty() {
                problems.push("'from' needs the hazard the control was transferred from".to_string());
            } else {
                control.transferred_from = Some(from.to_string());
            }
        } else if in_evidence {
            // A `;` inside an evidence reference (a URL, say): it belongs to the last item.
            match control.evidence.last_mut() {
                Some(last) => {
                    last.push(';');
                    last.push_str(token.trim_end());
                }
                None => control.evidence.push(t.to_string()),
            }
        } else {
            problems.push(format!(
                "'{t}' is not part of a control's details: write [implementer; state; evidence: a | b; \
                 effective; from H-012] with implementer one of manufacturer, health organisation, third party \
                 and state one of planned, implemented, verified"
            ));
        }
    }
    control.implementer = implementer.unwrap_or(Implementer::Manufacturer);
    control.state = state.unwrap_or(ControlState::Planned);
    if problems.is_empty() {
        Ok(control)
    } else {
        Err(format!("'{}': {}", control.description, problems.join("; ")))
    }
}

pub fn status_word(s: HazardStatus) -> &'static str {
    match s {
        HazardStatus::Open => "Open",
        HazardStatus::Transferred => "Transferred",
        HazardStatus::Closed => "Closed",
    }
}

pub const STATUSES: [&str; 3] = ["Open", "Transferred", "Closed"];

pub fn parse_status(s: &str) -> Option<HazardStatus> {
    match s.trim().to_lowercase().as_str() {
        "open" => Some(HazardStatus::Open),
        "transferred" => Some(HazardStatus::Transferred),
        "closed" => Some(HazardStatus::Closed),
        _ => None,
    }
}

pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// A date typed as text: `yyyy-mm-dd` (an ISO date-time's date part too) or the UK's `dd/mm/yyyy`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let iso = t.get(..10).filter(|_| t.len() == 10 || t[10..].starts_with(['T', ' ']));
    if let Some(d) = iso.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
        return Ok(d);
    }
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .map_err(|_| format!("'{t}' is not a date: write it as yyyy-mm-dd, e.g. 2025-03-31"))
}

/// The date of an Excel serial day number (the 1900 date system).
pub fn excel_serial_date(n: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.floor() as u64))
}

/// Characters that make a spreadsheet treat a CSV cell as a formula (OWASP's list).
fn formula_start(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Guard a CSV cell against formula injection: a leading apostrophe before `= + - @` (and before an
/// apostrophe already guarding one, so the guard strips back exactly).
pub fn csv_guard(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_start(s.trim_start_matches('\'')) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Undo [`csv_guard`].
pub fn csv_unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_start(rest.trim_start_matches('\'')) => rest,
        _ => s,
    }
}

/// Items of a list cell: one a line, trimmed, blanks dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}
