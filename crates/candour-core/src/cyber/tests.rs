use super::*;
use chrono::TimeZone;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
}

fn none() -> ClinicalImpact {
    ClinicalImpact {
        level: ImpactLevel::None,
        summary: String::new(),
        services_affected: vec![],
        downtime: vec![],
        appointments_postponed: 0,
        procedures_postponed: 0,
        diagnostics_delayed: 0,
        ambulance_diversions: 0,
        safety_events: vec![],
    }
}

fn paths(e: ValidationErrors) -> Vec<String> {
    e.errors.into_iter().map(|f| format!("{}:{}", f.path, f.code)).collect()
}

#[test]
fn tlp_parses_every_label_and_orders_by_restriction() {
    for t in Tlp::ALL {
        assert_eq!(Tlp::parse(t.as_str()), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    assert_eq!(Tlp::parse("white"), Some(Tlp::Clear));
    assert_eq!(Tlp::parse("amber+strict"), Some(Tlp::AmberStrict));
    assert_eq!(Tlp::parse("purple"), None);
    assert_eq!(Tlp::Green.max(Tlp::Red), Tlp::Red);
    assert_eq!(Tlp::AmberStrict.max(Tlp::Amber), Tlp::AmberStrict);
}

#[test]
fn an_event_cannot_be_discovered_before_it_happened_or_in_the_future() {
    let now = at(20, 12);
    let ok = TimelineEvent {
        event_at: at(18, 9),
        discovered_at: Some(at(19, 9)),
        summary: "Phishing email opened on a ward PC".into(),
    };
    assert!(ok.validate(now).is_ok());
    let early = TimelineEvent {
        discovered_at: Some(at(17, 9)),
        ..ok.clone()
    };
    assert_eq!(paths(early.validate(now).unwrap_err()), ["discovered_at:before_event"]);
    let future = TimelineEvent {
        event_at: at(21, 9),
        discovered_at: None,
        summary: " ".into(),
    };
    assert_eq!(
        paths(future.validate(now).unwrap_err()),
        ["summary:required", "event_at:in_future"]
    );
}

#[test]
fn a_task_is_finished_only_with_an_outcome() {
    let mut t = Task {
        title: "Reset the compromised account".into(),
        assignee: Some("it.security".into()),
        status: TaskStatus::InProgress,
        due_on: None,
        outcome: None,
    };
    assert!(t.validate().is_ok());
    t.status = TaskStatus::Done;
    assert_eq!(paths(t.validate().unwrap_err()), ["outcome:required"]);
    t.outcome = Some("Password reset, sessions revoked".into());
    assert!(t.validate().is_ok());
    assert_eq!(TaskStatus::parse("in_progress"), Some(TaskStatus::InProgress));
}

#[test]
fn an_impact_of_none_cannot_list_effects_on_patient_care() {
    let now = at(20, 12);
    assert!(!none().validate(now).unwrap().needs_cso_review());
    let mut ci = none();
    ci.appointments_postponed = 12;
    assert_eq!(paths(ci.clone().validate(now).unwrap_err()), ["level:inconsistent"]);
    ci.level = ImpactLevel::Low;
    assert_eq!(paths(ci.clone().validate(now).unwrap_err()), ["summary:required"]);
    ci.summary = "Outpatient clinics rebooked".into();
    let ok = ci.validate(now).unwrap();
    assert!(ok.needs_cso_review());
}

#[test]
fn severe_harm_makes_the_impact_severe_and_references_are_checked() {
    let now = at(20, 12);
    let mut ci = none();
    ci.level = ImpactLevel::Moderate;
    ci.summary = "Pathology results delayed".into();
    ci.downtime.push(Downtime {
        procedure: "Paper requesting".into(),
        from: at(19, 8),
        to: Some(at(18, 8)),
    });
    ci.safety_events.push(SafetyEvent {
        description: "Delayed potassium result".into(),
        harm: Harm::Severe,
        report: Some("not a reference".into()),
        hazard: Some(HazardRef {
            project_id: Uuid::nil(),
            number: 0,
        }),
    });
    assert_eq!(
        paths(ci.validate(now).unwrap_err()),
        [
            "downtime[0].to:before_start",
            "safety_events[0].report:invalid",
            "safety_events[0].hazard.number:invalid",
            "level:inconsistent"
        ]
    );
}

#[test]
fn closing_needs_an_assessment_and_a_cso_review_of_its_latest_version() {
    let now = at(20, 12);
    assert_eq!(paths(closure_blocker(&[], &[]).unwrap()), ["clinical_impact:required"]);
    let n = none();
    assert!(closure_blocker(&[(1, &n)], &[]).is_none());
    let mut low = none();
    low.level = ImpactLevel::Unknown;
    let review = |version| ImpactReview {
        version,
        note: "Reviewed with the pathology lead".into(),
        actor: "cso.northshire".into(),
        at: now,
    };
    assert_eq!(
        paths(closure_blocker(&[(1, &n), (2, &low)], &[]).unwrap()),
        ["clinical_impact:cso_review_required"]
    );
    // A review of an earlier version does not cover a changed assessment.
    assert!(closure_blocker(&[(1, &n), (2, &low)], &[review(1)]).is_some());
    assert!(closure_blocker(&[(1, &n), (2, &low)], &[review(1), review(2)]).is_none());
}

#[test]
fn downgrading_an_unreviewed_impact_to_none_still_needs_the_cso() {
    let n = none();
    let mut severe = none();
    severe.level = ImpactLevel::Severe;
    let review = |version| ImpactReview {
        version,
        note: "Reviewed".into(),
        actor: "cso".into(),
        at: at(20, 12),
    };
    let blocked = closure_blocker(&[(1, &severe), (2, &n)], &[]).unwrap();
    assert_eq!(paths(blocked.clone()), ["clinical_impact:cso_review_required"]);
    assert!(blocked.errors[0].message.contains("earlier version"), "{blocked:?}");
    assert!(
        closure_blocker(&[(1, &severe), (2, &n)], &[review(1)]).is_some(),
        "the latest version is what counts"
    );
    assert!(closure_blocker(&[(1, &severe), (2, &n)], &[review(2)]).is_none());
}

#[test]
fn disclosure_is_ninety_days_seven_when_exploited_and_shorter_still_for_patient_risk() {
    let p = DisclosurePolicy::embedded().unwrap();
    let received = at(1, 10);
    let base = DisclosureFacts::default().timeline(&p, received);
    assert_eq!(base.publish_by, received + Duration::days(90));
    assert_eq!(base.acknowledge_by, received + Duration::days(p.ack_days));
    assert!(!base.escalate);

    let patient = DisclosureFacts {
        patient_risk: true,
        ..Default::default()
    };
    let t = patient.timeline(&p, received);
    assert_eq!(t.publish_by, received + Duration::days(30));
    assert!(t.escalate);
    assert!(t.basis.contains("patients"), "{}", t.basis);

    let both = DisclosureFacts {
        exploited_in_wild: true,
        patient_risk: true,
        agreed_publication: Some(NaiveDate::from_ymd_opt(2027, 1, 20).unwrap()),
    };
    let t = both.timeline(&p, received);
    assert_eq!(
        t.publish_by,
        received + Duration::days(7),
        "an agreed date never lengthens an override"
    );
    assert!(t.escalate);

    let agreed = DisclosureFacts {
        agreed_publication: Some(NaiveDate::from_ymd_opt(2027, 2, 15).unwrap()),
        ..Default::default()
    };
    assert!(agreed.validate(&p, received).is_ok());
    assert_eq!(
        agreed.timeline(&p, received).publish_by.date_naive().to_string(),
        "2027-02-15"
    );
    let too_late = DisclosureFacts {
        agreed_publication: Some(NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()),
        ..Default::default()
    };
    assert_eq!(
        paths(too_late.validate(&p, received).unwrap_err()),
        ["agreed_publication:too_late"]
    );
}

#[test]
fn a_policy_table_with_an_override_longer_than_the_default_is_refused() {
    let bad = DISCLOSURE_TOML.replace("exploited_days = 7", "exploited_days = 120");
    assert!(DisclosurePolicy::from_toml(&bad)
        .unwrap_err()
        .contains("no longer than the default"));
    let zero = DISCLOSURE_TOML.replace("ack_days = 5", "ack_days = 0");
    assert!(DisclosurePolicy::from_toml(&zero).unwrap_err().contains("ack_days"));
}

#[test]
fn days_left_counts_whole_days_and_goes_negative_once_past() {
    let now = at(10, 12);
    assert_eq!(days_left(now + Duration::hours(47), now), 1);
    assert_eq!(days_left(now, now), 0);
    assert_eq!(days_left(now - Duration::hours(1), now), -1);
    assert_eq!(days_left(now - Duration::hours(25), now), -2);
}

#[test]
fn an_agreed_date_ends_at_the_end_of_that_day_in_the_uk() {
    let p = DisclosurePolicy::embedded().unwrap();
    let received = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    let f = DisclosureFacts {
        agreed_publication: Some(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
        ..Default::default()
    };
    let t = f.timeline(&p, received).publish_by;
    assert_eq!(t, Utc.with_ymd_and_hms(2026, 7, 1, 22, 59, 0).unwrap(), "23:59 BST");
    assert_eq!(crate::time::london(t), "1 Jul 2026 23:59 BST");
}
