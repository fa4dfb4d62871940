use crate::cells::{control_line, csv_guard, csv_unguard, parse_control_line, parse_date};
use candour_core::clinical::{Control, ControlKind, ControlState, Implementer};

fn c(description: &str) -> Control {
    Control {
        description: description.to_string(),
        kind: ControlKind::Test,
        implementer: Implementer::HealthOrganisation,
        state: ControlState::Verified,
        evidence: vec!["TEST-1".into(), "https://example.invalid/a;b=c".into()],
        effectiveness_verified: true,
        transferred_from: Some("H-012".into()),
    }
}

#[test]
fn control_lines_round_trip() {
    for d in [
        "Check the NHS number",
        "Show [NHS number] banner",
        "Use a; semicolon",
        "-leading dash",
    ] {
        let control = c(d);
        let line = control_line(&control);
        assert_eq!(parse_control_line(&line, ControlKind::Test).unwrap(), control, "{line}");
    }
    let line = control_line(&c("Check"));
    assert_eq!(
        line,
        "Check [health organisation; verified; evidence: TEST-1 | https://example.invalid/a;b=c; effective; from H-012]"
    );
}

#[test]
fn plain_lines_are_planned_manufacturer_controls() {
    let p = parse_control_line("Double-check dose [see spec]", ControlKind::Design).unwrap();
    assert_eq!(p.description, "Double-check dose [see spec]");
    assert_eq!(p.implementer, Implementer::Manufacturer);
    assert_eq!(p.state, ControlState::Planned);
    assert_eq!(p.kind, ControlKind::Design);
    let q = parse_control_line("Audit [Third_Party; Implemented]", ControlKind::Training).unwrap();
    assert_eq!(
        (q.implementer, q.state),
        (Implementer::ThirdParty, ControlState::Implemented)
    );
    assert_eq!(q.description, "Audit");
}

#[test]
fn bad_control_details_are_errors() {
    let e = parse_control_line("Audit [manufacturer; done]", ControlKind::Test).unwrap_err();
    assert!(e.contains("'done'"), "{e}");
    let e = parse_control_line("Audit [manufacturer; planned; verified]", ControlKind::Test).unwrap_err();
    assert!(e.contains("two states"), "{e}");
}

#[test]
fn csv_guard_round_trips() {
    for s in [
        "=1+1", "+44 20", "-x", "@SUM(A1)", "'=x", "''+y", "plain", "'quoted", "",
    ] {
        let g = csv_guard(s);
        assert!(!g.starts_with(['=', '+', '-', '@']), "{g}");
        assert_eq!(csv_unguard(&g), s);
    }
    assert_eq!(csv_guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(csv_guard("H-001"), "H-001");
}

#[test]
fn dates() {
    let d = chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
    assert_eq!(parse_date("2025-03-31").unwrap(), d);
    assert_eq!(parse_date("31/03/2025").unwrap(), d);
    assert_eq!(parse_date("2025-03-31T00:00:00").unwrap(), d);
    assert!(parse_date("31 March").is_err());
    assert!(parse_date("2025-02-30").is_err());
}

#[test]
fn column_indexes_match_headings() {
    use crate::{col, COLUMNS};
    assert_eq!(COLUMNS.len(), 28);
    for (i, h) in [
        (col::NUMBER, "Hazard number"),
        (col::INITIAL_RATING, "Initial risk rating"),
        (col::BUSINESS, "Business process change controls"),
        (col::ACTIONS, "Actions summary"),
        (col::STATUS, "Hazard status"),
        (col::SUPPLIER_DOCUMENT, "Supplier document"),
    ] {
        assert_eq!(COLUMNS[i], h);
    }
}
