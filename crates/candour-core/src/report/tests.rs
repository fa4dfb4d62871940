use super::*;
use chrono::TimeZone;

fn t() -> Taxonomy {
    Taxonomy::embedded().unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
}

fn base(kind: ReportKind) -> ReportBody {
    serde_json::from_value(serde_json::json!({
        "kind": kind,
        "event_type": "incident",
        "ods_code": " rx1 ",
        "title": "Allergy banner missing",
        "narrative": "The allergy banner did not show on the drug chart screen after the upgrade.",
        "occurred_at": "2026-11-20T09:00:00Z",
        "detected_at": "2026-11-20T09:30:00Z",
        "aware_at": "2026-11-20T10:00:00Z",
        "patients_harmed_now": "no",
        "patients": [{"physical_harm": "low", "psychological_harm": "none"}],
        "reporter": {"name": "Alex Morgan", "role": "nurse_midwife", "email": "alex.morgan@example.nhs.uk"},
        "urgency": "urgent",
        "system": {"product": "CareFlow EPR", "supplier": "Northwind Health Systems", "version": "24.3.1"}
    }))
    .unwrap()
}

fn paths(r: Result<ValidReport, ValidationErrors>) -> Vec<String> {
    r.unwrap_err().errors.into_iter().map(|e| e.path).collect()
}

#[test]
fn a_complete_clinical_safety_report_validates_and_normalises() {
    let v = base(ReportKind::ClinicalSafety).validate(&t(), now()).unwrap();
    assert_eq!(v.body().ods_code, "RX1");
    assert_eq!(v.ods().as_str(), "RX1");
    assert_eq!(v.product(), Some("CareFlow EPR"));
}

#[test]
fn missing_required_fields_are_each_named() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.title = " ".into();
    b.narrative.clear();
    b.event_type.clear();
    b.urgency.clear();
    b.system = None;
    assert_eq!(
        paths(b.validate(&t(), now())),
        ["event_type", "title", "narrative", "urgency", "system"]
    );
}

#[test]
fn unknown_taxonomy_values_list_the_allowed_ones() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.patients[0].physical_harm = "catastrophic".into();
    let e = b.validate(&t(), now()).unwrap_err();
    assert_eq!(e.errors[0].path, "patients[0].physical_harm");
    assert_eq!(e.errors[0].code, "unknown_value");
    assert!(e.errors[0].message.contains("none, low, moderate, severe, fatal"));
}

#[test]
fn future_and_out_of_order_times_are_refused() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.occurred_at = Some(now() + Duration::hours(1));
    b.detected_at = None;
    b.aware_at = None;
    assert_eq!(paths(b.validate(&t(), now())), ["occurred_at"]);
    // Within the tolerated clock skew is fine.
    let mut b = base(ReportKind::ClinicalSafety);
    b.occurred_at = Some(now() + Duration::minutes(2));
    b.detected_at = Some(now() + Duration::minutes(3));
    b.aware_at = Some(now() + Duration::minutes(3));
    assert!(b.validate(&t(), now()).is_ok());
    let mut b = base(ReportKind::ClinicalSafety);
    b.detected_at = Some(Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap());
    assert_eq!(paths(b.validate(&t(), now())), ["detected_at"]);
}

#[test]
fn bad_ods_codes_are_refused() {
    for (code, want) in [("", "required"), ("R", "invalid"), ("RX1!", "invalid")] {
        let mut b = base(ReportKind::ClinicalSafety);
        b.ods_code = code.into();
        let e = b.validate(&t(), now()).unwrap_err();
        assert_eq!(
            (e.errors[0].path.as_str(), e.errors[0].code.as_str()),
            ("ods_code", want),
            "{code}"
        );
    }
}

#[test]
fn anonymous_reports_carry_no_identity_and_cannot_be_confidential() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.reporter.anonymous = true;
    b.confidential = true;
    assert_eq!(
        paths(b.validate(&t(), now())),
        ["reporter.name", "reporter.email", "confidential"]
    );
    let mut b = base(ReportKind::ClinicalSafety);
    b.reporter = Reporter {
        anonymous: true,
        ..Default::default()
    };
    assert!(b.validate(&t(), now()).is_ok());
    let mut b = base(ReportKind::ClinicalSafety);
    b.reporter.name = None;
    assert_eq!(paths(b.validate(&t(), now())), ["reporter.name"]);
}

#[test]
fn kind_blocks_are_required_for_their_kind_and_refused_elsewhere() {
    assert_eq!(paths(base(ReportKind::CyberIncident).validate(&t(), now())), ["cyber"]);
    assert_eq!(
        paths(base(ReportKind::Vulnerability).validate(&t(), now())),
        ["vulnerability"]
    );
    assert_eq!(
        paths(base(ReportKind::DeviceIncident).validate(&t(), now())),
        ["device"]
    );
    assert_eq!(
        paths(base(ReportKind::SuspiciousActivity).validate(&t(), now())),
        ["suspicious"]
    );
    let mut b = base(ReportKind::ClinicalSafety);
    b.device = Some(DeviceBlock {
        device_name: "Pump".into(),
        ..Default::default()
    });
    assert_eq!(paths(b.validate(&t(), now())), ["device"]);
}

#[test]
fn cyber_block_needs_exactly_one_single_point_of_contact() {
    let mut b = base(ReportKind::CyberIncident);
    let contact = |spoc| Contact {
        name: "Jo Bloggs".into(),
        role: "IT security lead".into(),
        email: Some("jo@example.nhs.uk".into()),
        phone: None,
        single_point_of_contact: spoc,
    };
    b.cyber = Some(CyberBlock {
        contacts: vec![contact(false), contact(false)],
        investigation_stage: "containment".into(),
        classification: "ransomware".into(),
        request_type: "technical_support".into(),
        impact: CyberImpact {
            patients: "Pathology results delayed".into(),
            ..Default::default()
        },
        local_references: vec![LocalReference {
            reference: "DEF-1".into(),
            url: Some("ftp://x".into()),
        }],
        ..Default::default()
    });
    assert_eq!(
        paths(b.clone().validate(&t(), now())),
        ["cyber.contacts", "cyber.local_references[0].url"]
    );
    if let Some(c) = &mut b.cyber {
        c.contacts[1].single_point_of_contact = true;
        c.local_references[0].url = Some("https://security.microsoft.com/incidents/1".into());
    }
    assert!(b.validate(&t(), now()).is_ok());
}

#[test]
fn harm_roll_up_takes_the_worst_patient() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.patients = ["low", "severe", "none"]
        .iter()
        .map(|h| PatientHarm {
            physical_harm: (*h).into(),
            psychological_harm: "none".into(),
            clinical_outcome: None,
        })
        .collect();
    let v = b.validate(&t(), now()).unwrap();
    assert_eq!(v.max_physical_harm(&t()), "severe");
    assert_eq!(v.max_physical_rank(&t()), 3);
}

#[test]
fn overlong_and_control_characters_are_refused() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.title = "x".repeat(MAX_SHORT + 1);
    b.narrative = "ok\u{0007}".into();
    assert_eq!(paths(b.validate(&t(), now())), ["title", "narrative"]);
}

#[test]
fn unknown_fields_are_refused_when_parsing() {
    let mut v = serde_json::to_value(base(ReportKind::ClinicalSafety)).unwrap();
    v["narative"] = "typo".into();
    assert!(serde_json::from_value::<ReportBody>(v).is_err());
}

#[test]
fn shared_free_text_covers_narratives_but_not_identity_or_identifiers() {
    let mut b = base(ReportKind::ClinicalSafety);
    b.immediate_actions = Some("Called Dr Jones".into());
    b.patients[0].clinical_outcome = Some("Mr Smith recovered".into());
    let paths: Vec<String> = b.shared_free_text_mut().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "title",
            "narrative",
            "immediate_actions",
            "patients[0].clinical_outcome"
        ]
    );
    for (_, t) in b.shared_free_text_mut() {
        *t = "[REDACTED]".into();
    }
    assert_eq!(b.narrative, "[REDACTED]");
    assert_eq!(
        b.reporter.name.as_deref(),
        Some("Alex Morgan"),
        "the reporter's identity is not a shared field"
    );
}
