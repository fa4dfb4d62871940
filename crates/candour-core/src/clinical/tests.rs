use super::*;

fn example() -> RiskScheme {
    RiskScheme::dcb0129_example().unwrap()
}

/// The 25 cells of IG Table 9 in index form (clinical-risk.md §5.3, two independent sources agree).
#[test]
fn the_default_scheme_is_the_ig_example_cell_for_cell() {
    let golden: [(u8, &[&str]); 5] = [
        (1, &["L1-S1", "L1-S2", "L2-S1"]),
        (2, &["L1-S3", "L1-S4", "L2-S2", "L2-S3", "L3-S1", "L3-S2", "L4-S1"]),
        (3, &["L1-S5", "L2-S4", "L3-S3", "L3-S4", "L4-S2", "L4-S3", "L5-S1"]),
        (4, &["L2-S5", "L3-S5", "L4-S4", "L5-S2", "L5-S3"]),
        (5, &["L4-S5", "L5-S4", "L5-S5"]),
    ];
    let s = example();
    let mut seen = 0;
    for (rating, cells) in golden {
        for cell in cells {
            let (l, sv) = cell.split_once('-').unwrap();
            let a = s.assess("x", l, sv).unwrap();
            assert_eq!(a.rating, rating, "{cell}");
            seen += 1;
        }
    }
    assert_eq!(seen, 25);
    assert!(s.warnings().is_empty(), "{:?}", s.warnings());
    assert_eq!(
        s.reference(),
        SchemeRef {
            id: "dcb0129-ig-v3.2-example".into(),
            version: 1
        }
    );
    // The rating is a lookup, not a product: L1×S5 (5) rates above L2×S3 (6).
    assert!(s.assess("x", "L1", "S5").unwrap().rating > s.assess("x", "L2", "S3").unwrap().rating);
}

#[test]
fn the_death_of_one_patient_is_major_not_catastrophic() {
    let s = example();
    let major = s.severity.iter().find(|v| v.label == "Major").unwrap();
    let catastrophic = s.severity.iter().find(|v| v.label == "Catastrophic").unwrap();
    assert!(major.single.starts_with("Death"));
    assert!(catastrophic.single.is_empty() && catastrophic.multiple.starts_with("Death"));
}

#[test]
fn levels_are_named_by_code_or_label_and_a_wrong_one_names_the_field() {
    let s = example();
    assert_eq!(
        s.assess("initial", "Medium", "major").unwrap(),
        s.assess("initial", "L3", "S4").unwrap()
    );
    let e = s.assess("initial", "Likely", "Major").unwrap_err();
    assert!(
        matches!(&e, SchemeError::Invalid { field, .. } if field == "initial.likelihood"),
        "{e}"
    );
    assert!(e.to_string().contains("Very Low, Low, Medium, High, Very High"), "{e}");
    let e = s.assess("residual", "Low", "Fatal").unwrap_err();
    assert!(
        matches!(&e, SchemeError::Invalid { field, .. } if field == "residual.severity"),
        "{e}"
    );
}

fn with(edit: impl FnOnce(&mut RiskScheme)) -> RiskScheme {
    let mut s = example();
    edit(&mut s);
    s
}

#[test]
fn a_broken_scheme_is_refused_naming_the_part() {
    let e = with(|s| {
        s.matrix.pop();
    })
    .check()
    .unwrap_err();
    assert_eq!(e.to_string(), "matrix: has 4 rows; there are 5 likelihood levels");
    let e = with(|s| s.matrix[2].push(5)).check().unwrap_err();
    assert!(e.to_string().starts_with("matrix[2]: has 6 cells"), "{e}");
    let e = with(|s| s.matrix[3][0] = 1).check().unwrap_err();
    assert!(
        e.to_string().contains("High likelihood is rated lower than Medium"),
        "{e}"
    );
    let e = with(|s| s.matrix[0][4] = 1).check().unwrap_err();
    assert!(
        e.to_string()
            .contains("Catastrophic severity is rated lower than Major"),
        "{e}"
    );
    let e = with(|s| s.matrix[4][4] = 6).check().unwrap_err();
    assert_eq!(e.to_string(), "matrix[4][4]: rating 6 has no acceptability entry");
    let e = with(|s| s.likelihood[1].code = "L1".into()).check().unwrap_err();
    assert_eq!(e.to_string(), "likelihood[1].code: L1 is used twice");
    let e = with(|s| s.likelihood[1].code = "l1".into()).check().unwrap_err();
    assert_eq!(e.to_string(), "likelihood[1].code: l1 is used twice");
    let e = with(|s| s.severity[1].label = "minor".into()).check().unwrap_err();
    assert_eq!(e.to_string(), "severity[1].label: minor is used twice");
    let e = RiskScheme::from_toml("id = 'x'").unwrap_err();
    assert!(matches!(e, SchemeError::Parse(_)));
}

#[test]
fn multiplicative_or_relabelled_schemes_under_the_nhs_profile_are_warned_about() {
    // A banded L×S score: 1-4 → 1, 5-9 → 2, 10-14 → 3, 15-19 → 4, 20-25 → 5.
    let banded = with(|s| {
        for l in 0..5 {
            for v in 0..5 {
                let p = (l + 1) * (v + 1);
                s.matrix[l][v] = match p {
                    1..=4 => 1,
                    5..=9 => 2,
                    10..=14 => 3,
                    15..=19 => 4,
                    _ => 5,
                };
            }
        }
    });
    banded.check().unwrap();
    let w = banded.warnings();
    assert!(w.iter().any(|m| m.contains("banded likelihood × severity")), "{w:?}");
    let relabelled = with(|s| {
        s.severity[0].label = "Negligible".into();
        s.acceptability[1].label = "Tolerable".into();
    });
    let w = relabelled.warnings();
    assert!(
        w.iter().any(|m| m.contains("Negligible (the example says Minor)")),
        "{w:?}"
    );
    assert!(w.iter().any(|m| m.contains("Tolerable")), "{w:?}");
    let local = with(|s| {
        s.profile = "local".into();
        s.severity[0].label = "Negligible".into();
    });
    assert!(local.warnings().is_empty());
}

fn hazard(json: serde_json::Value) -> Result<Hazard, crate::ValidationErrors> {
    let input: HazardInput = serde_json::from_value(json).unwrap();
    input.validate(
        &example(),
        &HazardTypes::default_types().unwrap(),
        &["LocalDowntime".to_string()],
    )
}

fn base() -> serde_json::Value {
    serde_json::json!({
        "name": "Allergy banner shows the previous patient's allergies",
        "description": "After switching records in two tabs, the allergy banner does not refresh.",
        "types": ["WrongPatient", "Allergy"],
        "initial": { "likelihood": "Medium", "severity": "Major" },
        "status": "open"
    })
}

fn paths(e: &crate::ValidationErrors) -> Vec<&str> {
    e.errors.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn a_hazard_gets_its_ratings_from_the_scheme_and_cannot_type_one() {
    let h = hazard(base()).unwrap();
    assert_eq!(
        (h.initial.rating, h.residual.rating),
        (3, 3),
        "no residual given: it is the initial one"
    );
    assert_eq!(h.initial.scheme.id, "dcb0129-ig-v3.2-example");
    let mut typed = base();
    typed["initial"]["rating"] = 1.into();
    assert!(
        serde_json::from_value::<HazardInput>(typed).is_err(),
        "a typed rating is refused"
    );
}

#[test]
fn only_controls_in_place_reduce_residual_risk() {
    let mut planned = base();
    planned["controls"] = serde_json::json!([{ "description": "Refresh the banner on every record switch",
        "kind": "design", "implementer": "manufacturer", "state": "planned" }]);
    planned["residual"] = serde_json::json!({ "likelihood": "Very Low", "severity": "Major" });
    let e = hazard(planned.clone()).unwrap_err();
    assert_eq!(paths(&e), ["residual"]);
    assert_eq!(e.errors[0].code, "no_control_in_place");
    planned["controls"][0]["state"] = "implemented".into();
    let h = hazard(planned.clone()).unwrap();
    assert_eq!(h.residual.rating, 2);
    planned["residual"] = serde_json::json!({ "likelihood": "Very High", "severity": "Major" });
    assert_eq!(hazard(planned).unwrap_err().errors[0].code, "higher_than_initial");
}

#[test]
fn verified_controls_need_evidence_and_closing_needs_done_controls_and_acceptable_risk() {
    let mut h = base();
    h["controls"] = serde_json::json!([{ "description": "Banner refresh test", "kind": "test",
        "implementer": "manufacturer", "state": "verified", "effectiveness_verified": true }]);
    let e = hazard(h.clone()).unwrap_err();
    assert_eq!(paths(&e), ["controls[0].evidence"]);
    h["controls"][0]["evidence"] = serde_json::json!(["https://ci.example/run/42"]);
    h["residual"] = serde_json::json!({ "likelihood": "Very Low", "severity": "Major" });
    h["status"] = "closed".into();
    assert_eq!(hazard(h.clone()).unwrap().status, HazardStatus::Closed);
    // Closing at a rating acceptable only as low as reasonably practicable needs the reason.
    let mut alarp = h.clone();
    alarp["residual"] = serde_json::json!({ "likelihood": "Low", "severity": "Major" });
    assert_eq!(paths(&hazard(alarp.clone()).unwrap_err()), ["alarp_justification"]);
    alarp["alarp_justification"] = "A further control would need the supplier to rebuild the banner.".into();
    assert_eq!(hazard(alarp).unwrap().residual.rating, 3);
    // Still unacceptable (High × Catastrophic = 5): not closable.
    let mut bad = base();
    bad["initial"] = serde_json::json!({ "likelihood": "High", "severity": "Catastrophic" });
    bad["status"] = "closed".into();
    let e = hazard(bad).unwrap_err();
    assert!(e.errors.iter().any(|f| f.code == "unacceptable"), "{e}");
    // A planned control keeps it open.
    h["controls"][0]["state"] = "planned".into();
    h["controls"][0]["effectiveness_verified"] = false.into();
    h["residual"] = h["initial"].clone();
    assert!(hazard(h)
        .unwrap_err()
        .errors
        .iter()
        .any(|f| f.code == "controls_planned"));
}

#[test]
fn transferred_means_the_manufacturer_is_done_and_the_deployer_is_not() {
    let mut h = base();
    h["status"] = "transferred".into();
    h["controls"] = serde_json::json!([
        { "description": "Banner refresh", "kind": "design", "implementer": "manufacturer", "state": "implemented" },
        { "description": "Train staff to close old tabs", "kind": "training", "implementer": "health_organisation", "state": "planned" }
    ]);
    hazard(h.clone()).unwrap();
    h["controls"][0]["state"] = "planned".into();
    assert_eq!(hazard(h.clone()).unwrap_err().errors[0].code, "not_transferred");
    h["controls"][0]["state"] = "implemented".into();
    h["controls"][1]["state"] = "implemented".into();
    assert_eq!(hazard(h).unwrap_err().errors[0].code, "not_transferred");
}

#[test]
fn types_come_from_the_taxonomy_or_the_project_and_every_problem_is_named() {
    let mut h = base();
    h["types"] = serde_json::json!(["WrongPatient", "LocalDowntime", "Gremlins"]);
    h["name"] = "  ".into();
    h["initial"]["severity"] = "Deadly".into();
    h["raised_on"] = "2026-11-20".into();
    h["target_date"] = "2026-11-01".into();
    let e = hazard(h).unwrap_err();
    assert_eq!(
        paths(&e),
        [
            "name",
            "types[2]",
            "initial.severity",
            "residual.severity",
            "target_date"
        ]
    );
    let t = HazardTypes::default_types().unwrap();
    assert_eq!(t.group.iter().map(|g| g.types.len()).sum::<usize>(), 32);
}

#[test]
fn a_safety_project_names_every_missing_or_wrong_field() {
    let p: SafetyProject = serde_json::from_value(serde_json::json!({
        "ods_code": "rzx", "name": "CareFlow EPR deployment", "system": "CareFlow EPR 8.2", "standard": "DCB0160",
        "intended_use": "Electronic patient record for inpatient wards", "lifecycle_phase": "live",
        "people": [{ "name": "Dr Priya Raman", "role": "Clinical Safety Officer" }]
    }))
    .unwrap();
    let ok = p.clone().validate().unwrap();
    assert_eq!((ok.ods_code.as_str(), ok.review_every_days), ("RZX", 90));
    let mut bad = p;
    bad.ods_code = "not ods".into();
    bad.system = " ".into();
    bad.lifecycle_phase = "beta".into();
    bad.review_every_days = 1;
    let e = bad.validate().unwrap_err();
    assert_eq!(
        paths(&e),
        ["ods_code", "system", "lifecycle_phase", "review_every_days"]
    );
    assert!(serde_json::from_value::<Standard>(serde_json::json!("DCB0999")).is_err());
}

fn with_control(state: &str) -> Hazard {
    let mut j = base();
    j["controls"] = serde_json::json!([{ "description": "Refresh the banner on every record switch",
        "kind": "design", "implementer": "manufacturer", "state": state, "evidence": ["tests/banner.rs"],
        "effectiveness_verified": state == "verified" }]);
    j["residual"] = serde_json::json!({ "likelihood": "Low", "severity": "Major" });
    hazard(j).unwrap()
}

#[test]
fn a_failed_control_loses_its_verification_and_forces_a_rescore() {
    let h = with_control("verified");
    let types = HazardTypes::default_types().unwrap();
    let none = triage::Rescore::default();
    let e = triage::apply(&h, TriageKind::ControlFailed, Some(0), &none, &example(), &types, &[]).unwrap_err();
    assert_eq!(paths(&e), ["residual"]);
    let e = triage::apply(&h, TriageKind::ControlFailed, Some(4), &none, &example(), &types, &[]).unwrap_err();
    assert_eq!(paths(&e), ["control"]);
    let same = triage::Rescore {
        initial: None,
        residual: Some(AssessmentInput {
            likelihood: "Low".into(),
            severity: "Major".into(),
        }),
    };
    let t = triage::apply(&h, TriageKind::ControlFailed, Some(0), &same, &example(), &types, &[]).unwrap();
    assert!(!t.hazard.controls[0].effectiveness_verified);
    assert!(!t.risk_changed, "looked at, and the risk stands");
    let worse = triage::Rescore {
        initial: None,
        residual: Some(AssessmentInput {
            likelihood: "Medium".into(),
            severity: "Major".into(),
        }),
    };
    let t = triage::apply(&h, TriageKind::ControlFailed, Some(0), &worse, &example(), &types, &[]).unwrap();
    assert!(t.risk_changed);
    assert_eq!(t.hazard.residual.rating, 3);
}

#[test]
fn a_realised_closed_hazard_is_reopened_and_can_be_rescored() {
    let mut j = base();
    j["controls"] = serde_json::json!([{ "description": "Banner refresh", "kind": "design",
        "implementer": "manufacturer", "state": "verified", "evidence": ["t1"], "effectiveness_verified": true }]);
    j["residual"] = serde_json::json!({ "likelihood": "Very Low", "severity": "Major" });
    j["status"] = "closed".into();
    let h = hazard(j).unwrap();
    let types = HazardTypes::default_types().unwrap();
    let t = triage::apply(
        &h,
        TriageKind::Realises,
        None,
        &triage::Rescore::default(),
        &example(),
        &types,
        &[],
    )
    .unwrap();
    assert_eq!(t.hazard.status, HazardStatus::Open);
    assert!(!t.risk_changed);
    let more = triage::Rescore {
        initial: Some(AssessmentInput {
            likelihood: "High".into(),
            severity: "Major".into(),
        }),
        residual: Some(AssessmentInput {
            likelihood: "Low".into(),
            severity: "Major".into(),
        }),
    };
    let t = triage::apply(&h, TriageKind::Realises, None, &more, &example(), &types, &[]).unwrap();
    assert!(t.risk_changed);
    assert!(triage::apply(&h, TriageKind::NewHazard, None, &more, &example(), &types, &[]).is_err());
}

#[test]
fn reviews_fall_due_on_each_cadence_and_a_hazard_on_its_own_date() {
    use chrono::NaiveDate;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let p: SafetyProject = serde_json::from_value(serde_json::json!({
        "ods_code": "RZX", "name": "EPR", "system": "EPR 1", "standard": "DCB0160",
        "intended_use": "Records", "lifecycle_phase": "live"
    }))
    .unwrap();
    let mut open = with_control("implemented");
    open.review_due = Some(d("2026-03-01"));
    let mut closed = open.clone();
    closed.status = HazardStatus::Closed;
    let mut last = std::collections::HashMap::new();
    last.insert("crmp".to_string(), d("2026-01-10"));
    let due = review::schedule(
        &p,
        d("2026-01-01"),
        &last,
        &[
            (1, &open, d("2026-01-01")),
            (2, &closed, d("2026-01-01")),
            (3, &with_control("implemented"), d("2026-03-20")),
        ],
        d("2026-04-15"),
    );
    let by: std::collections::HashMap<_, _> = due.iter().map(|r| (r.subject.as_str(), r)).collect();
    assert_eq!(by["hazard_log"].due_on, d("2026-04-01"));
    assert!(by["hazard_log"].overdue);
    assert_eq!(by["controls"].due_on, d("2026-06-30"));
    assert!(!by["controls"].overdue);
    assert_eq!(by["crmp"].due_on, d("2027-01-10"), "a year after the last CRMP review");
    assert_eq!(
        by["hazard:1"].due_on,
        d("2026-03-01"),
        "its own date, sooner than the cadence"
    );
    assert!(!by.contains_key("hazard:2"), "closed hazards are not scheduled");
    assert_eq!(
        by["hazard:3"].due_on,
        d("2026-06-18"),
        "a cadence after it was recorded"
    );
    assert!(!by["hazard:3"].overdue, "a hazard added late is not overdue at once");
    assert_eq!(due[0].subject, "hazard:1", "soonest first");
    last.insert("hazard:1".to_string(), d("2026-03-02"));
    let due = review::schedule(
        &p,
        d("2026-01-01"),
        &last,
        &[(1, &open, d("2026-01-01"))],
        d("2026-04-15"),
    );
    let h1 = due.iter().find(|r| r.subject == "hazard:1").unwrap();
    assert_eq!(
        h1.due_on,
        d("2026-05-31"),
        "reviewed after its date: back on the cadence"
    );
    assert_eq!(ReviewSubject::parse("hazard:7"), Some(ReviewSubject::Hazard(7)));
    assert_eq!(ReviewSubject::parse("hazard:0"), None);
    assert_eq!(
        ReviewSubject::parse("crmp").map(ReviewSubject::key).as_deref(),
        Some("crmp")
    );
}

#[test]
fn a_supplier_hazard_is_adopted_with_provenance_and_transferred_controls_become_local_actions() {
    let input: HazardInput = serde_json::from_value(serde_json::json!({
        "name": "Results filed against the wrong patient", "description": "Merge of duplicate records",
        "existing_controls": ["NHS number matching"],
        "initial": { "likelihood": "High", "severity": "Major" },
        "residual": { "likelihood": "Low", "severity": "Major" },
        "controls": [
            { "description": "Duplicate check on merge", "kind": "design", "implementer": "manufacturer",
              "state": "verified", "evidence": ["TC-114"], "effectiveness_verified": true },
            { "description": "Train ward clerks on merging", "kind": "training", "implementer": "health_organisation",
              "state": "planned" }
        ],
        "status": "transferred"
    }))
    .unwrap();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let adopted = input.adopt_from_supplier("Northwind Health Systems", "HAZ-0042", "CareFlow hazard log v12", on);
    let p = adopted.provenance.clone().unwrap();
    assert_eq!(
        (p.supplier.as_str(), p.source_hazard_id.as_str()),
        ("Northwind Health Systems", "HAZ-0042")
    );
    assert_eq!(adopted.controls.len(), 1);
    assert_eq!(adopted.controls[0].implementer, Implementer::HealthOrganisation);
    assert_eq!(adopted.controls[0].state, ControlState::Planned);
    assert_eq!(adopted.controls[0].transferred_from.as_deref(), Some("HAZ-0042"));
    assert!(adopted
        .existing_controls
        .iter()
        .any(|c| c.contains("duplicate check on merge")));
    let h = adopted
        .validate(&example(), &HazardTypes::default_types().unwrap(), &[])
        .unwrap();
    assert_eq!(h.status, HazardStatus::Open);
    let supplier_residual = example().assess("r", "Low", "Major").unwrap().rating;
    assert_eq!(
        (h.initial.rating, h.residual.rating),
        (supplier_residual, supplier_residual),
        "starts from the supplier's residual; local actions not yet done lower nothing"
    );
    assert_ne!(
        supplier_residual,
        example().assess("i", "High", "Major").unwrap().rating
    );
}

#[test]
fn a_cso_cannot_sign_off_until_their_record_is_complete() {
    let rec: CsoRecord = serde_json::from_value(serde_json::json!({
        "ods_code": "rzx", "name": "Dr Priya Raman", "username": "cso.northshire", "registration_body": "gmc"
    }))
    .unwrap();
    let rec = rec.validate().unwrap();
    assert_eq!(rec.registration_body, "GMC");
    assert_eq!(
        rec.missing(),
        ["profession", "registration_number", "training_evidence", "appointed_on"]
    );
    let mut bad = rec.clone();
    bad.registration_body = "Hogwarts".into();
    bad.username = " ".into();
    assert_eq!(paths(&bad.validate().unwrap_err()), ["username", "registration_body"]);
    assert_eq!(hazard_number("H-012"), Some(12));
    assert_eq!(hazard_id(7), "H-007");
}
