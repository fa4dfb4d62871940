use super::*;
use crate::clinical::compliance::{checklist, to_csv, ComplianceAnswer};
use crate::clinical::{HazardInput, HazardTypes, SafetyProject};
use chrono::NaiveDate;
use serde_json::json;

fn scheme() -> RiskScheme {
    RiskScheme::dcb0129_example().unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn project(standard: &str) -> SafetyProject {
    serde_json::from_value::<SafetyProject>(json!({
        "ods_code": "RZX", "name": "CareFlow EPR", "system": "CareFlow EPR 8.2", "standard": standard,
        "intended_use": "Inpatient electronic patient record", "scope": "Wards and theatres",
        "lifecycle_phase": "pre-deployment", "release": "8.2.0 build 4411, config ward-v3",
        "people": [
            { "name": "Dr Ada Example", "role": "Clinical Safety Officer" },
            { "name": "Ben Builder", "role": "Development lead" }
        ]
    }))
    .unwrap()
    .validate()
    .unwrap()
}

fn hazard(v: serde_json::Value) -> Hazard {
    let input: HazardInput = serde_json::from_value(v).unwrap();
    input
        .validate(&scheme(), &HazardTypes::default_types().unwrap(), &[])
        .unwrap()
}

/// H-001 open with a verified design control and a planned test control; H-002 transferred to the health
/// organisation; H-003 closed at rating 1.
fn hazards() -> Vec<(String, Hazard)> {
    vec![
        (
            "H-001".into(),
            hazard(json!({
                "name": "Allergy banner shows the previous patient's allergies",
                "description": "After switching records the banner does not refresh.",
                "causes": ["Two tabs open"], "effects": "Wrong allergies shown",
                "clinical_impact": "Drug given to an allergic patient", "types": ["WrongPatient", "Allergy"],
                "existing_controls": ["Banner shows the NHS number"],
                "initial": { "likelihood": "Medium", "severity": "Major" },
                "controls": [
                    { "description": "Banner refreshes on every record switch", "kind": "design",
                      "implementer": "manufacturer", "state": "verified", "evidence": ["tests/banner.rs::refresh"] },
                    { "description": "Automated two-tab switching test", "kind": "test",
                      "implementer": "manufacturer", "state": "planned" }
                ],
                "residual": { "likelihood": "Low", "severity": "Major" },
                "status": "open"
            })),
        ),
        (
            "H-002".into(),
            hazard(json!({
                "name": "Downtime hides results",
                "description": "During downtime results cannot be seen.",
                "types": ["NoAccessToData"],
                "initial": { "likelihood": "Low", "severity": "Considerable" },
                "controls": [
                    { "description": "Read-only cache of recent results", "kind": "design",
                      "implementer": "manufacturer", "state": "implemented" },
                    { "description": "Ward downtime procedure with paper results", "kind": "business_process",
                      "implementer": "health_organisation", "state": "planned" }
                ],
                "residual": { "likelihood": "Very Low", "severity": "Considerable" },
                "status": "transferred"
            })),
        ),
        (
            "H-003".into(),
            hazard(json!({
                "name": "Typo in drug name search",
                "description": "Search misses a misspelt drug.",
                "types": ["WrongDrug"],
                "initial": { "likelihood": "Low", "severity": "Minor" },
                "controls": [
                    { "description": "Fuzzy search", "kind": "design", "implementer": "third_party",
                      "state": "verified", "evidence": ["vendor test report 12"] },
                    { "description": "Users trained to check the drug", "kind": "training",
                      "implementer": "health_organisation", "state": "implemented" }
                ],
                "residual": { "likelihood": "Very Low", "severity": "Minor" },
                "status": "closed"
            })),
        ),
    ]
}

fn cso(complete: bool) -> CsoRecord {
    let mut v = json!({ "ods_code": "RZX", "name": "Dr Ada Example", "username": "ada.example",
        "profession": "Doctor" });
    if complete {
        v["registration_body"] = "GMC".into();
        v["registration_number"] = "7654321".into();
        v["training_evidence"] = json!(["NHS England Digital clinical safety training, 2025"]);
        v["appointed_on"] = "2025-01-06".into();
    }
    serde_json::from_value(v).unwrap()
}

fn approvals() -> Vec<Approval> {
    vec![
        Approval {
            kind: DocumentKind::HazardLog,
            version: 2,
            approved_by: "Dr Ada Example".into(),
            registration: "GMC 7654321".into(),
            approved_at: "2026-10-01T10:00:00Z".into(),
            content_hash: "bbbb".into(),
        },
        Approval {
            kind: DocumentKind::HazardLog,
            version: 1,
            approved_by: "Dr Ada Example".into(),
            registration: "GMC 7654321".into(),
            approved_at: "2026-09-01T10:00:00Z".into(),
            content_hash: "aaaa".into(),
        },
        Approval {
            kind: DocumentKind::Cscr,
            version: 1,
            approved_by: "Dr Ada Example".into(),
            registration: "GMC 7654321".into(),
            approved_at: "2026-09-01T11:00:00Z".into(),
            content_hash: "cccc".into(),
        },
    ]
}

fn incidents() -> Vec<IncidentLink> {
    vec![IncidentLink {
        reference: "CAN-2026-0001".into(),
        summary: "Banner showed another patient's allergies on ward [WARD]".into(),
        hazard_id: "H-001".into(),
        kind: "realises".into(),
        at: day(),
    }]
}

struct Fixture {
    project: SafetyProject,
    scheme: RiskScheme,
    hazards: Vec<(String, Hazard)>,
    cso: Option<CsoRecord>,
    approvals: Vec<Approval>,
    incidents: Vec<IncidentLink>,
    compliance: Vec<ComplianceRow>,
}

impl Fixture {
    fn new(standard: &str) -> Fixture {
        Fixture {
            project: project(standard),
            scheme: scheme(),
            hazards: hazards(),
            cso: Some(cso(true)),
            approvals: approvals(),
            incidents: incidents(),
            compliance: Vec::new(),
        }
    }

    fn input(&self) -> CaseInput<'_> {
        CaseInput {
            project: &self.project,
            scheme: &self.scheme,
            hazards: &self.hazards,
            cso: self.cso.as_ref(),
            version: 2,
            date: day(),
            approvals: &self.approvals,
            incidents: &self.incidents,
            compliance: &self.compliance,
        }
    }
}

fn section<'a>(d: &'a Document, title: &str) -> &'a Section {
    d.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no section {title}"))
}

fn section_text(d: &Document, title: &str) -> String {
    let s = section(d, title);
    Document {
        kind: d.kind,
        title: String::new(),
        meta: Vec::new(),
        sections: vec![s.clone()],
    }
    .text()
}

fn tables(s: &Section) -> Vec<(&Vec<String>, &Vec<Vec<String>>)> {
    s.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table { header, rows } => Some((header, rows)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_cscr_section_is_present_in_order() {
    let f = Fixture::new("DCB0129");
    let d = cscr(&f.input());
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, CSCR_SECTIONS.to_vec());
    // IG Table 6, then the DTAC C1.2.4 extras, written out here independently of the constant.
    assert_eq!(
        titles,
        [
            "Introduction",
            "System definition",
            "Clinical risk management system",
            "Clinical risk analysis",
            "Clinical risk evaluation",
            "Clinical risk control",
            "Hazard log",
            "Test issues",
            "Summary safety statement",
            "Quality assurance and document approval",
            "Configuration control",
            "Risk scheme declaration",
            "Residual risks",
            "Transferred hazards and their declared controls",
            "Hazards needing user or commissioner action",
            "Safety incidents considered",
            "Third-party products",
        ]
    );
    let numbers: Vec<String> = d.sections.iter().map(|s| s.number.clone()).collect();
    assert_eq!(numbers, (1..=17).map(|n| n.to_string()).collect::<Vec<_>>());
    // IG Table 6 first, in its order.
    assert_eq!(titles[6], "Hazard log");
    assert_eq!(titles[8], "Summary safety statement");
    assert_eq!(titles[10], "Configuration control");
    for (k, v) in [
        ("Status", "Draft — not approved"),
        ("Standard", "DCB0129"),
        ("Organisation (ODS)", "RZX"),
        ("Document version", "2"),
        ("Date", "2026-11-22"),
        (
            "Risk scheme",
            "DCB0129 Implementation Guidance v3.2 example (Tables 7 to 10) (dcb0129-ig-v3.2-example v1)",
        ),
    ] {
        assert!(d.meta.contains(&(k.to_string(), v.to_string())), "{k}: {:?}", d.meta);
    }
    // The release configuration and the latest issued hazard log (v2, not v1) are cited.
    assert!(section_text(&d, "System definition").contains("8.2.0 build 4411"));
    let log = section_text(&d, "Hazard log");
    assert!(
        log.contains("Hazard log version 2, approved by Dr Ada Example (GMC 7654321)"),
        "{log}"
    );
    assert!(!log.contains("aaaa"));
    // Compliance answers, when given, follow as section 18.
    let mut f = Fixture::new("DCB0129");
    f.compliance = checklist(Standard::Dcb0129).unwrap().rows(&[]);
    let d = cscr(&f.input());
    assert_eq!(d.sections.len(), 18);
    assert_eq!(d.sections[17].title, "Compliance assessment");
    assert!(d.sections[17]
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Table { rows, .. } if rows.len() == 25)));
}

#[test]
fn a_hazard_log_not_yet_issued_is_said_so() {
    let mut f = Fixture::new("DCB0129");
    f.approvals.retain(|a| a.kind != DocumentKind::HazardLog);
    let d = cscr(&f.input());
    assert!(section_text(&d, "Hazard log").contains("Not yet issued"));
}

#[test]
fn a_planned_control_is_listed_as_not_reducing_risk() {
    let f = Fixture::new("DCB0129");
    let d = cscr(&f.input());
    let s = section(&d, "Clinical risk control");
    let planned: Vec<&String> = s
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Bullets(items) => Some(items),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(planned.len(), 2, "{planned:?}");
    assert!(planned
        .iter()
        .any(|p| p.starts_with("H-001: Automated two-tab switching test") && p.ends_with("does not reduce risk")));
    assert!(planned.iter().all(|p| !p.contains("Banner refreshes")));
    assert!(section_text(&d, "Clinical risk control").contains("Controls that are planned do not reduce risk"));
    // The unverified test control is an outstanding test issue.
    let t = section_text(&d, "Test issues");
    assert!(t.contains("Automated two-tab switching test"), "{t}");
}

#[test]
fn an_unacceptable_residual_changes_the_summary_statement() {
    let mut f = Fixture::new("DCB0129");
    // Nothing planned on an open hazard, nothing unacceptable: the residual risk is stated as acceptable.
    f.hazards.retain(|(id, _)| id != "H-001");
    let ok = section_text(&cscr(&f.input()), "Summary safety statement");
    assert!(!ok.contains("as low as reasonably practicable ("), "{ok}");
    assert!(ok.contains("0 hazards have unacceptable residual risk"), "{ok}");
    assert!(!ok.contains("should not be deployed"), "{ok}");
    assert!(ok.contains("acceptance of that residual risk"), "{ok}");

    f.hazards.push((
        "H-004".into(),
        hazard(json!({ "name": "Dose units lost", "description": "mg shown as mcg",
            "initial": { "likelihood": "High", "severity": "Major" }, "status": "open" })),
    ));
    let bad = section_text(&cscr(&f.input()), "Summary safety statement");
    assert!(bad.contains("1 hazard has unacceptable residual risk"), "{bad}");
    assert!(
        bad.contains("should not be deployed until the hazards with unacceptable residual risk (H-004)"),
        "{bad}"
    );
    assert!(!bad.contains("acceptance of that residual risk"), "{bad}");

    // A residual rated 3 (acceptable only once ALARP) with no justification holds deployment back too.
    let mut a = Fixture::new("DCB0129");
    a.hazards.retain(|(id, _)| id != "H-001");
    a.hazards.push((
        "H-005".into(),
        hazard(json!({ "name": "Slow search", "description": "Search takes minutes",
            "initial": { "likelihood": "Medium", "severity": "Considerable" }, "status": "open" })),
    ));
    let alarp = section_text(&cscr(&a.input()), "Summary safety statement");
    assert!(alarp.contains("0 hazards have unacceptable residual risk"), "{alarp}");
    assert!(alarp.contains("should not be deployed until the residual risk of the hazards acceptable only once as low as reasonably practicable (H-005)"), "{alarp}");
    a.hazards[2].1.alarp_justification = "Search is indexed; further speed-up is impractical".into();
    assert!(!section_text(&cscr(&a.input()), "Summary safety statement").contains("should not be deployed"));

    // An open hazard with a planned control also holds deployment back.
    let f = Fixture::new("DCB0129");
    let planned = section_text(&cscr(&f.input()), "Summary safety statement");
    assert!(planned.contains("should not be deployed"), "{planned}");
    assert!(
        planned.contains("planned controls on open hazards (H-001)"),
        "{planned}"
    );
}

#[test]
fn transferred_hazards_appear_in_their_section() {
    let f = Fixture::new("DCB0129");
    let d = cscr(&f.input());
    let s = section(&d, "Transferred hazards and their declared controls");
    let t = tables(s);
    assert_eq!(t.len(), 1);
    let ids: Vec<&str> = t[0].1.iter().map(|r| r[0].as_str()).collect();
    // H-002 is transferred; H-003 has a health-organisation (training) control.
    assert_eq!(ids, ["H-002", "H-003"]);
    assert!(t[0].1[0].contains(&"Ward downtime procedure with paper results".to_string()));
    assert!(t[0].1[0].contains(&"Transferred".to_string()));
    // Training and business process controls need user or commissioner action.
    let u = section_text(&d, "Hazards needing user or commissioner action");
    assert!(
        u.contains("Users trained to check the drug") && u.contains("Ward downtime procedure"),
        "{u}"
    );
    // The third party's control is listed with its evidence.
    let tp = section_text(&d, "Third-party products");
    assert!(
        tp.contains("Fuzzy search") && tp.contains("vendor test report 12"),
        "{tp}"
    );
    // Incidents: references only, as given.
    let i = section_text(&d, "Safety incidents considered");
    assert!(
        i.contains("CAN-2026-0001 | 2026-11-22 | H-001 | Realises a recorded hazard"),
        "{i}"
    );
}

#[test]
fn an_incomplete_cso_record_lists_what_is_missing() {
    let mut f = Fixture::new("DCB0129");
    f.cso = Some(cso(false));
    let missing = cso(false).missing();
    assert_eq!(
        missing,
        [
            "registration_body",
            "registration_number",
            "training_evidence",
            "appointed_on"
        ]
    );
    let t = section_text(&cscr(&f.input()), "Clinical risk management system");
    assert!(
        t.contains("CSO record incomplete: registration body, registration number, training evidence, appointed on."),
        "{t}"
    );
    assert!(t.contains("Profession: Doctor"), "{t}");
    assert!(t.contains("Registration: Not recorded"), "{t}");
    // The CRMP says the same.
    assert!(crmp(&f.input())
        .text()
        .contains("CSO record incomplete: registration body"));

    f.cso = Some(cso(true));
    let t = section_text(&cscr(&f.input()), "Clinical risk management system");
    assert!(!t.contains("CSO record incomplete"), "{t}");
    assert!(t.contains("Registration: GMC 7654321"), "{t}");

    f.cso = None;
    let d = cscr(&f.input());
    assert!(section_text(&d, "Clinical risk management system").contains("no Clinical Safety Officer is recorded"));
    // The draft names who approves it: the CSO on the project when there is no record.
    assert!(section_text(&d, "Quality assurance and document approval").contains("To be approved by Dr Ada Example"));
}

fn matrix_of(blocks: &[Block]) -> Vec<Vec<u8>> {
    let (_, rows) = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { header, rows } if header[0] == "Likelihood \\ Severity" => Some((header, rows)),
            _ => None,
        })
        .unwrap();
    // Highest likelihood first, as IG Table 9 shows it.
    let mut m: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| r[1..].iter().map(|c| c.parse().unwrap()).collect())
        .collect();
    m.reverse();
    m
}

#[test]
fn the_scheme_declaration_matrix_is_the_schemes_matrix() {
    let s = scheme();
    let blocks = scheme_declaration(&s);
    assert_eq!(matrix_of(&blocks), s.matrix);
    let text = Document {
        kind: DocumentKind::Crmp,
        title: String::new(),
        meta: Vec::new(),
        sections: vec![Section {
            number: "1".into(),
            title: "x".into(),
            blocks: blocks.clone(),
        }],
    }
    .text();
    assert!(text.contains("dcb0129-ig-v3.2-example, version 1"), "{text}");
    assert!(text.contains("never calculated as likelihood × severity"));
    assert!(text.contains("Very High (L5) | 3 | 4 | 4 | 5 | 5"), "{text}");
    // Severity for a single and for several patients; acceptability per rating.
    let sev = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { header, rows } if header[1] == "Severity" => Some(rows),
            _ => None,
        })
        .unwrap();
    assert_eq!(sev.len(), 5);
    assert!(sev[3][2].starts_with("Death"), "one patient's death is Major");
    assert!(
        text.contains("5 | Unacceptable | Unacceptable level of risk | Yes | No"),
        "{text}"
    );

    // Not hard-coded: another (valid) matrix comes through as it is.
    let mut other = scheme();
    other.id = "local-1".into();
    other.matrix[1][0] = 2;
    other.check().unwrap();
    assert_eq!(matrix_of(&scheme_declaration(&other)), other.matrix);
    // The CSCR and CRMP embed it.
    let f = Fixture::new("DCB0129");
    assert_eq!(
        matrix_of(&section(&cscr(&f.input()), "Risk scheme declaration").blocks),
        s.matrix
    );
    assert_eq!(
        matrix_of(&section(&crmp(&f.input()), "Risk scheme declaration").blocks),
        s.matrix
    );
}

#[test]
fn dcb0160_documents_are_worded_for_the_deploying_organisation() {
    let m = Fixture::new("DCB0129");
    let d = Fixture::new("DCB0160");
    let (mc, dc) = (cscr(&m.input()), cscr(&d.input()));
    let (mp, dp) = (crmp(&m.input()), crmp(&d.input()));
    assert_ne!(mc.content_hash(), dc.content_hash());
    let titles = |doc: &Document| doc.sections.iter().map(|s| s.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&mc), titles(&dc));
    assert_eq!(titles(&mp), CRMP_SECTIONS.to_vec());
    assert_eq!(titles(&dp), CRMP_SECTIONS.to_vec());

    let intro = section_text(&dc, "Introduction");
    assert!(intro.contains("under DCB0160 by the deploying organisation"), "{intro}");
    assert!(section_text(&mc, "Introduction").contains("under DCB0129 by the manufacturer"));
    assert!(section_text(&dc, "Summary safety statement").contains("should not go live"));
    assert!(section_text(&mc, "Summary safety statement").contains("should not be deployed"));

    let plan = dp.text();
    for needle in [
        "reviewing the manufacturer's DCB0129 safety case",
        "The manufacturer's DCB0129 Clinical Safety Case Report and Hazard Log",
        "become local actions",
        "decommissioning",
        "Incidents and changes are fed back to the manufacturer",
    ] {
        assert!(plan.contains(needle), "{needle}");
    }
    assert!(!mp.text().contains("become local actions"));
    // Both carry the three triage questions and the project's three cadences.
    for p in [&mp, &dp] {
        let dep = section_text(p, "Deployment and post-deployment");
        assert!(dep.contains("Is it a new hazard?") && dep.contains("Did a control fail?"));
        let c = section_text(p, "Review cadence");
        assert!(c.contains("Every 90 days") && c.contains("Every 180 days") && c.contains("Every 365 days"));
        let ph = section(p, "Lifecycle phases at which a safety case report is issued");
        assert_eq!(tables(ph)[0].1.len(), PHASES.len());
    }
}

#[test]
fn content_hash_is_stable_and_changes_when_a_hazard_changes() {
    let f = Fixture::new("DCB0129");
    for build in [cscr, crmp, hazard_log] {
        let a = build(&f.input());
        let b = build(&f.input());
        assert_eq!(a, b);
        assert_eq!(a.content_hash(), b.content_hash());
    }
    // Input order does not matter: hazards, approvals and incidents are ordered by their own fields.
    let mut g = Fixture::new("DCB0129");
    g.hazards.reverse();
    g.approvals.reverse();
    assert_eq!(cscr(&f.input()).content_hash(), cscr(&g.input()).content_hash());
    assert_eq!(
        hazard_log(&f.input()).content_hash(),
        hazard_log(&g.input()).content_hash()
    );

    let mut h = Fixture::new("DCB0129");
    h.hazards[2].1.name.push('!');
    assert_ne!(cscr(&f.input()).content_hash(), cscr(&h.input()).content_hash());
    assert_ne!(
        hazard_log(&f.input()).content_hash(),
        hazard_log(&h.input()).content_hash()
    );
    let mut r = Fixture::new("DCB0129");
    r.hazards[2].1.residual = scheme().assess("residual", "Low", "Minor").unwrap();
    assert_ne!(
        hazard_log(&f.input()).content_hash(),
        hazard_log(&r.input()).content_hash()
    );
}

#[test]
fn the_hazard_log_uses_the_nhs_columns_and_scheme_labels() {
    let f = Fixture::new("DCB0129");
    let d = hazard_log(&f.input());
    assert_eq!(d.kind, DocumentKind::HazardLog);
    assert_eq!(d.sections.len(), 1);
    let t = tables(&d.sections[0]);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].0, &HAZARD_LOG_COLUMNS.map(String::from).to_vec());
    let row = &t[0].1[0];
    assert_eq!(row.len(), HAZARD_LOG_COLUMNS.len());
    assert_eq!(
        row[..9],
        [
            "H-001",
            "Allergy banner shows the previous patient's allergies",
            "After switching records the banner does not refresh.\nEffect: Wrong allergies shown",
            "Drug given to an allergic patient",
            "Two tabs open",
            "Banner shows the NHS number",
            "Major",
            "Medium",
            "3"
        ]
    );
    assert!(row[9].contains("Automated two-tab switching test (Test; Manufacturer; Planned)"));
    assert_eq!(row[10..], ["Major", "Low", "3", "Open", "Dr Ada Example"]);
    let text = d.text();
    assert!(
        text.contains("3 hazards in this version: 1 Open, 1 Transferred, 1 Closed."),
        "{text}"
    );
}

// ----- compliance -----------------------------------------------------------------------------------------

#[test]
fn both_checklists_load_with_unique_clauses() {
    let a = checklist(Standard::Dcb0129).unwrap();
    let b = checklist(Standard::Dcb0160).unwrap();
    assert_eq!(a.requirements.len(), 25, "one per row of the requirement map");
    assert_eq!(a.requirements[0].clause, "2.1.1");
    assert_eq!(a.requirements[24].clause, "7.3.1-7.3.4");
    for list in [&a, &b] {
        let mut clauses: Vec<&str> = list.requirements.iter().map(|r| r.clause.as_str()).collect();
        let n = clauses.len();
        clauses.sort_unstable();
        clauses.dedup();
        assert_eq!(clauses.len(), n);
    }
    // DCB0160 mirrors every DCB0129 item, plus decommissioning; its numbering is flagged unverified.
    for r in &a.requirements {
        assert!(b.requirement(&r.clause).is_some(), "{}", r.clause);
        assert!(r.note.is_empty());
    }
    assert!(b.requirements.iter().all(|r| r.note.starts_with("[U]")));
    assert!(b.requirements.iter().any(|r| r.text.contains("Decommissioning")));
    assert!(crate::clinical::compliance::COMPLIANCE_TOML.contains("DERIVED, NOT TRANSCRIBED"));
}

fn answer(clause: &str, a: Answer, evidence: &[&str], note: &str) -> ComplianceAnswer {
    ComplianceAnswer {
        clause: clause.into(),
        answer: a,
        evidence: evidence.iter().map(|s| s.to_string()).collect(),
        note: note.into(),
    }
}

#[test]
fn rows_merge_answers_in_checklist_order() {
    let c = checklist(Standard::Dcb0129).unwrap();
    let rows = c.rows(&[
        answer(
            "2.3.1–2.3.4",
            Answer::Partial,
            &["docs/cso.md"],
            "awaiting registration",
        ),
        answer("2.1.1", Answer::No, &[], "first"),
        answer("2.1.1", Answer::Yes, &["docs/crmp.md"], ""),
        answer("9.9.9", Answer::Yes, &["x"], ""),
    ]);
    assert_eq!(rows.len(), c.requirements.len());
    assert_eq!(
        (rows[0].clause.as_str(), rows[0].answer, rows[0].evidence.clone()),
        ("2.1.1", Some(Answer::Yes), vec!["docs/crmp.md".to_string()])
    );
    assert_eq!(rows[3].clause, "2.3.1-2.3.4");
    assert_eq!(rows[3].answer, Some(Answer::Partial));
    assert_eq!(rows[3].note, "awaiting registration");
    assert!(rows.iter().filter(|r| r.answer.is_some()).count() == 2);
    assert!(rows[1].answer.is_none() && rows[1].evidence.is_empty() && rows[1].note.is_empty());
}

#[test]
fn validation_names_the_field_at_fault() {
    let c = checklist(Standard::Dcb0129).unwrap();
    let paths = |a: ComplianceAnswer| -> Vec<String> {
        c.validate(a).unwrap_err().errors.into_iter().map(|e| e.path).collect()
    };
    assert_eq!(paths(answer("9.9.9", Answer::NotApplicable, &[], "")), ["clause"]);
    assert_eq!(paths(answer("2.1.1", Answer::Yes, &["  "], "")), ["evidence"]);
    assert_eq!(paths(answer("2.1.1", Answer::Partial, &[], "")), ["evidence"]);
    assert_eq!(paths(answer("2.1.1", Answer::No, &[], " ")), ["note"]);
    assert_eq!(paths(answer("", Answer::No, &[], "")), ["clause", "note"]);
    let ok = c
        .validate(answer(
            " 3.3.1–3.3.3 ",
            Answer::Yes,
            &[" docs/safety/candour.toml ", ""],
            " ok ",
        ))
        .unwrap();
    assert_eq!(
        ok,
        answer("3.3.1-3.3.3", Answer::Yes, &["docs/safety/candour.toml"], "ok")
    );
    assert!(c.validate(answer("2.1.1", Answer::Awaiting, &[], "")).is_ok());
    assert!(c.validate(answer("2.1.1", Answer::NotApplicable, &[], "")).is_ok());
    // Unknown fields are refused on input.
    assert!(serde_json::from_value::<ComplianceAnswer>(
        json!({ "clause": "2.1.1", "answer": "yes", "evidence": ["x"], "extra": 1 })
    )
    .is_err());
}

#[test]
fn answers_have_labels_and_codes() {
    for a in Answer::ALL {
        assert_eq!(Answer::parse(a.label()), Some(a));
        assert_eq!(Answer::parse(a.as_str()), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), json!(a.as_str()));
    }
    assert_eq!(Answer::parse("n/a"), Some(Answer::NotApplicable));
    assert_eq!(Answer::parse(" NOT_APPLICABLE "), Some(Answer::NotApplicable));
    assert_eq!(Answer::parse("Not applicable"), Some(Answer::NotApplicable));
    assert_eq!(Answer::parse("maybe"), None);
    assert_eq!(Answer::NotApplicable.label(), "N/A");
}

#[test]
fn csv_quotes_cells_and_guards_formulas() {
    let rows = vec![
        ComplianceRow {
            clause: "2.1.1".into(),
            text: "Define, and \"document\"".into(),
            answer: Some(Answer::Yes),
            evidence: vec!["docs/a.md".into(), "docs/b.md".into()],
            note: "=HYPERLINK(\"http://x\")".into(),
        },
        ComplianceRow {
            clause: "2.2.1".into(),
            text: "Plain".into(),
            answer: None,
            evidence: vec!["@SUM(A1)".into()],
            note: "-1".into(),
        },
        ComplianceRow {
            clause: "2.2.2".into(),
            text: "+cmd".into(),
            answer: Some(Answer::NotApplicable),
            evidence: Vec::new(),
            note: String::new(),
        },
    ];
    let csv = to_csv(&rows);
    let expected = "Clause,Requirement,Answer,Evidence,Note\r\n\
        2.1.1,\"Define, and \"\"document\"\"\",Yes,\"docs/a.md\ndocs/b.md\",\"'=HYPERLINK(\"\"http://x\"\")\"\r\n\
        2.2.1,Plain,,'@SUM(A1),'-1\r\n\
        2.2.2,'+cmd,N/A,,\r\n";
    assert_eq!(csv, expected);
}

// ----- Candour's own safety case ---------------------------------------------------------------------------

#[test]
fn candours_own_safety_case_validates() {
    let case: super::CaseFile = toml::from_str(include_str!("../../../../docs/safety/candour.toml")).unwrap();
    let scheme = scheme();
    assert_eq!(case.scheme.id, scheme.id);
    let project = case.project.validate().unwrap();
    assert_eq!(project.standard, Standard::Dcb0129);
    assert_eq!(project.lifecycle_phase, "development");
    let cso = case.cso.validate().unwrap();
    // Deliberately incomplete: Candour never asserts a registration on anyone's behalf.
    assert!(cso.missing().contains(&"registration_number"));
    assert!(cso.registration_number.is_empty() && cso.registration_body.is_empty());

    let types = HazardTypes::default_types().unwrap();
    assert!(case.hazard.len() >= 15, "hazards went missing: {}", case.hazard.len());
    let mut hazards = Vec::new();
    for (i, h) in case.hazard.into_iter().enumerate() {
        let id = crate::clinical::hazard_id(i as i64 + 1);
        let name = h.name.clone();
        let h = h
            .validate(&scheme, &types, &project.custom_hazard_types)
            .unwrap_or_else(|e| panic!("{id} {name}: {e}"));
        assert!(!h.causes.is_empty() && !h.clinical_impact.is_empty(), "{id}");
        for c in &h.controls {
            if c.state == ControlState::Verified {
                assert!(c.evidence.iter().all(|e| !e.trim().is_empty()), "{id}");
            }
        }
        hazards.push((id, h));
    }
    // Honest: some controls are still planned.
    assert!(hazards.iter().any(|(_, h)| h.controls.iter().any(|c| !c.in_place())));

    let input = CaseInput {
        project: &project,
        scheme: &scheme,
        hazards: &hazards,
        cso: Some(&cso),
        version: 1,
        date: day(),
        approvals: &[],
        incidents: &[],
        compliance: &[],
    };
    let d = cscr(&input);
    let t = section_text(&d, "Clinical risk management system");
    assert!(
        t.contains("CSO record incomplete:") && t.contains("registration number"),
        "{t}"
    );
    assert!(section_text(&d, "Hazard log").contains("Not yet issued"));
    assert!(section_text(&d, "Summary safety statement").contains("should not be deployed"));
    assert_eq!(hazard_log(&input).sections[0].blocks.len(), 2);
}
