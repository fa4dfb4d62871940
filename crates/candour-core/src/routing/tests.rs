use super::*;
use crate::report::ReportBody;
use crate::routing::tables::EMBEDDED;
use crate::ReportKind;
use chrono::{Duration, NaiveDate, TimeZone};
use proptest::prelude::*;

fn tax() -> Taxonomy {
    Taxonomy::embedded().unwrap()
}

fn tables() -> Tables {
    Tables::embedded(&tax()).unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn report(json: serde_json::Value) -> ValidReport {
    let mut base = serde_json::json!({
        "kind": "clinical_safety", "event_type": "incident", "ods_code": "RZX", "title": "t", "narrative": "n",
        "patients_harmed_now": "no", "urgency": "routine", "reporter": {"anonymous": true},
        "system": {"product": "CareFlow EPR", "supplier": "Northwind"},
        "aware_at": "2026-11-20T10:00:00Z"
    });
    for (k, v) in json.as_object().unwrap() {
        base[k] = v.clone();
    }
    let b: ReportBody = serde_json::from_value(base).unwrap();
    b.validate(&tax(), utc(2026, 11, 21, 12, 0)).unwrap()
}

fn destinations(d: &Decision) -> Vec<&str> {
    d.routes.iter().map(|r| r.destination.as_str()).collect()
}

#[test]
fn shipped_tables_load() {
    let t = tables();
    assert!(t
        .directory
        .get("nhs_csoc")
        .unwrap()
        .contacts
        .iter()
        .any(|c| c.value == "0300 303 5222" && c.hours == "24/7"));
    assert!(t
        .directory
        .get("nhse_service_bridge")
        .unwrap()
        .contacts
        .iter()
        .any(|c| c.value == "0113 397 3973"));
}

#[test]
fn clinical_safety_with_a_product_goes_to_cso_supplier_and_lfpse() {
    let d = decide(
        &tables(),
        &tax(),
        &report(serde_json::json!({})),
        OrgFacts::default(),
        utc(2026, 11, 20, 10, 30),
    );
    assert_eq!(destinations(&d), ["org_cso", "supplier_safety", "lfpse"]);
    assert!(!d.urgent_path);
    assert_eq!(
        d.to("supplier_safety").unwrap().because[0].rule,
        "clinical-safety-supplier"
    );
    let no_product =
        report(serde_json::json!({"kind": "device_incident", "system": null, "device": {"device_name": "Pump"}}));
    let d = decide(
        &tables(),
        &tax(),
        &no_product,
        OrgFacts::default(),
        utc(2026, 11, 20, 10, 30),
    );
    assert_eq!(destinations(&d), ["org_cso", "lfpse", "mhra_yellow_card"]);
}

#[test]
fn cyber_routes_depend_on_nis_and_dspt_status_and_clocks_start_at_awareness() {
    let cyber = report(serde_json::json!({
        "kind": "cyber_incident", "urgency": "urgent", "detected_at": "2026-11-20T09:00:00Z",
        "cyber": {"contacts": [{"name": "R", "role": "Lead", "email": "r@example.nhs.uk", "single_point_of_contact": true}],
                  "investigation_stage": "triage", "classification": "ransomware", "request_type": "technical_support",
                  "impact": {"patients": "none known"}}
    }));
    let received = utc(2026, 11, 20, 14, 0);
    let plain = decide(&tables(), &tax(), &cyber, OrgFacts::default(), received);
    assert_eq!(destinations(&plain), ["org_cso", "nhs_csoc"]);
    let trust = decide(&tables(), &tax(), &cyber, OrgFacts { oes: true, dspt: true }, received);
    assert_eq!(destinations(&trust), ["org_cso", "nhs_csoc", "ico_dspt", "dhsc_nis"]);
    let nis = trust.to("dhsc_nis").unwrap().due.clone().unwrap();
    assert_eq!(
        (nis.started_from.as_str(), nis.started_at),
        ("aware_at", utc(2026, 11, 20, 10, 0))
    );
    assert_eq!(
        nis.due_at,
        utc(2026, 11, 23, 10, 0),
        "72 elapsed hours from awareness, not detection or receipt"
    );
    // The CSOC gets the earliest clock: phone now.
    let csoc = trust.to("nhs_csoc").unwrap();
    assert_eq!(csoc.due.as_ref().unwrap().obligation, "urgent_phone_now");
    assert_eq!(csoc.because.len(), 2);
}

#[test]
fn patients_harmed_now_always_takes_the_urgent_path() {
    // Even a report whose urgency says routine.
    let r = report(serde_json::json!({"patients_harmed_now": "yes", "urgency": "routine"}));
    let d = decide(&tables(), &tax(), &r, OrgFacts::default(), utc(2026, 11, 20, 10, 30));
    assert!(d.urgent_path);
    assert_eq!(d.routes[0].destination, "org_escalation");
    assert_eq!(d.to("org_cso").unwrap().due.as_ref().unwrap().obligation, "ack_urgent");
    // And even if a local edit stripped the rule's own condition, the flag alone forces it.
    let mut t = tables();
    for rule in &mut t.rules.rules {
        if rule.urgent_path {
            rule.patients_harmed_now = vec!["no".into()];
            rule.kinds = vec![ReportKind::Vulnerability];
        }
    }
    let d = decide(&t, &tax(), &r, OrgFacts::default(), utc(2026, 11, 20, 10, 30));
    let esc = d.to("org_escalation").unwrap();
    assert!(esc.because[0]
        .reason
        .contains("applied because patients are being harmed now"));
}

#[test]
fn severe_harm_and_safeguarding_add_their_routes() {
    let r = report(
        serde_json::json!({"patients": [{"physical_harm": "severe", "psychological_harm": "none"}], "safeguarding_concern": true}),
    );
    let d = decide(&tables(), &tax(), &r, OrgFacts::default(), utc(2026, 11, 20, 10, 30));
    assert!(d.to("nhse_service_bridge").is_some());
    assert!(d.to("org_safeguarding").is_some());
}

#[test]
fn bad_tables_name_file_line_and_reason_and_load_nothing() {
    let t = tax();
    let [d, r, p] = EMBEDDED;
    let bad_ref =
        r.1.replace("destination = \"mhra_yellow_card\"", "destination = \"mhra\"");
    let e = Tables::parse(&t, d, (r.0, &bad_ref), p).unwrap_err();
    assert_eq!(e.file, "data/routing/rules.toml");
    let want_line = bad_ref
        .lines()
        .position(|l| l.contains("destination = \"mhra\""))
        .unwrap()
        + 1;
    assert_eq!(e.line, want_line, "{e}");
    assert!(e.reason.contains("'mhra', which is not in the directory"), "{e}");

    let syntax = p.1.replace("hours = 72", "hours = seventy-two");
    let e = Tables::parse(&t, d, r, (p.0, &syntax)).unwrap_err();
    assert_eq!(e.file, "data/routing/obligations.toml");
    assert!(e.line > 0, "{e}");

    let two = p.1.replace("hours = 48\n", "hours = 48\nworking_days = 2\n");
    let e = Tables::parse(&t, d, r, (p.0, &two)).unwrap_err();
    assert!(e.reason.contains("exactly one of"), "{e}");

    let bad_code = r.1.replace(
        "urgency = [\"urgent\", \"immediate\"]",
        "urgency = [\"urgent\", \"asap\"]",
    );
    let e = Tables::parse(&t, d, (r.0, &bad_code), p).unwrap_err();
    assert!(e.reason.contains("urgency 'asap'"), "{e}");

    let dup = d.1.replace("id = \"lfpse\"", "id = \"nhs_csoc\"");
    let e = Tables::parse(&t, (d.0, &dup), r, p).unwrap_err();
    assert!(e.reason.contains("used twice"), "{e}");

    let nowhere = d.1.replace("escalate_to = \"org_cso\"", "escalate_to = \"the_moon\"");
    let e = Tables::parse(&t, (d.0, &nowhere), r, p).unwrap_err();
    assert!(e.reason.contains("escalates to 'the_moon'"), "{e}");
    let want_line = nowhere.lines().position(|l| l.contains("the_moon")).unwrap() + 1;
    assert_eq!(e.line, want_line);

    let never = p.1.replace("urgent_minutes = 30", "urgent_minutes = 0");
    let e = Tables::parse(&t, d, r, (p.0, &never)).unwrap_err();
    assert!(e.reason.starts_with("chasing:"), "{e}");
    let no_chasing = &p.1[..p.1.find("[chasing]").unwrap()];
    let e = Tables::parse(&t, d, r, (p.0, no_chasing)).unwrap_err();
    assert!(e.reason.contains("chasing"), "{e}");
}

#[test]
fn obligation_versions_apply_by_effective_date() {
    let t = tax();
    let [d, r, p] = EMBEDDED;
    let versioned = p.1.replace(
        "effective_from = \"2018-05-10\"\nverified = true\n\n[[obligation]]\nid = \"cyber_alert_ack_48h\"",
        "effective_from = \"2018-05-10\"\neffective_to = \"2027-01-01\"\nverified = true\n\n[[obligation]]\nid = \"nis_72h\"\nname = \"NIS initial notice within 24 hours\"\ndescription = \"Hypothetical future regime\"\nfrom = \"aware\"\nhours = 24\neffective_from = \"2027-01-01\"\nverified = false\n\n[[obligation]]\nid = \"cyber_alert_ack_48h\"",
    );
    assert_ne!(versioned, p.1, "the test edit must apply");
    let tables = Tables::parse(&t, d, r, (p.0, &versioned)).unwrap();
    let mk = |aware: &str| {
        report(serde_json::json!({
            "kind": "cyber_incident", "system": null, "aware_at": aware,
            "cyber": {"contacts": [{"name": "R", "role": "Lead", "email": "r@example.nhs.uk", "single_point_of_contact": true}],
                      "investigation_stage": "triage", "classification": "ransomware", "request_type": "informational",
                      "impact": {"patients": "none"}}
        }))
    };
    let before = tables
        .due("nis_72h", &mk("2026-11-20T10:00:00Z"), utc(2026, 11, 21, 0, 0))
        .unwrap();
    assert_eq!(before.due_at - before.started_at, Duration::hours(72));
    // Overlapping versions are refused.
    let overlap = versioned.replace("effective_to = \"2027-01-01\"", "effective_to = \"2027-06-01\"");
    assert!(Tables::parse(&t, d, r, (p.0, &overlap))
        .unwrap_err()
        .reason
        .contains("two versions"));
}

#[test]
fn dspt_grid_reportability_and_vulnerable_groups() {
    let g = &tables().policy.dspt_grid;
    assert!(
        !g.verified,
        "the grid is marked unverified until checked against the guide"
    );
    assert!(!g.assess(2, 5, false).reportable);
    assert!(g.assess(3, 2, false).reportable);
    assert!(!g.assess(3, 1, false).reportable);
    assert!(g.assess(5, 5, false).urgent_24h);
    assert!(!g.assess(3, 3, false).urgent_24h);
    let v = g.assess(1, 1, true);
    assert_eq!((v.likelihood, v.severity, v.reportable), (2, 2, false));
    assert!(g.assess(3, 1, true).reportable, "vulnerable groups lift severity to 2");
}

fn cal() -> WorkingCalendar {
    tables().calendar().clone()
}

#[test]
fn working_hours_skip_nights_weekends_and_bank_holidays() {
    let c = cal();
    // Friday 16:00 GMT + 8 working hours = 1 h on Friday + 7 h on Monday = Monday 16:00.
    assert_eq!(
        c.add_working_minutes(utc(2026, 11, 20, 16, 0), 8 * 60),
        utc(2026, 11, 23, 16, 0)
    );
    // Received Saturday: the clock starts Monday 09:00.
    assert_eq!(
        c.add_working_minutes(utc(2026, 11, 21, 12, 0), 60),
        utc(2026, 11, 23, 10, 0)
    );
    // Christmas 2026: Fri 25 and Mon 28 are bank holidays.
    assert_eq!(
        c.add_working_minutes(utc(2026, 12, 24, 16, 0), 2 * 60),
        utc(2026, 12, 29, 10, 0)
    );
    // Summer: 09:00 BST is 08:00 UTC.
    assert_eq!(
        c.add_working_minutes(utc(2026, 7, 11, 12, 0), 30),
        utc(2026, 7, 13, 8, 30)
    );
    // 10 working days from Monday 2 Nov 2026: end of Monday 16 Nov.
    assert_eq!(
        c.add_working_days(utc(2026, 11, 2, 10, 0), 10),
        utc(2026, 11, 16, 17, 0)
    );
    // Across the autumn change (Sun 25 Oct 2026): Friday 23 Oct (BST) + 1 working day = Mon 26 Oct 17:00 GMT.
    assert_eq!(
        c.add_working_days(utc(2026, 10, 23, 10, 0), 1),
        utc(2026, 10, 26, 17, 0)
    );
}

#[test]
fn clock_states_count_down_then_overdue() {
    let due = utc(2026, 11, 23, 10, 0);
    assert_eq!(
        ClockState::at(due, due - Duration::hours(1)),
        ClockState::Running { remaining_secs: 3600 }
    );
    assert_eq!(
        ClockState::at(due, due + Duration::minutes(5)),
        ClockState::Overdue { overdue_secs: 300 }
    );
}

/// An independent oracle: step minute by minute, counting minutes inside working time.
fn oracle(c: &WorkingCalendar, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let mut t = start;
    let mut counted = 0;
    while counted < minutes {
        if c.is_working_time(t) {
            counted += 1;
        }
        t += Duration::minutes(1);
    }
    // The deadline is the end of the last counted minute.
    t
}

fn around_transitions() -> impl Strategy<Value = DateTime<Utc>> {
    // Spring forward 29 Mar 2026 01:00 UTC; fall back 25 Oct 2026 01:00 UTC; a week either side.
    (
        prop_oneof![Just(utc(2026, 3, 29, 1, 0)), Just(utc(2026, 10, 25, 1, 0))],
        -7 * 24 * 60i64..7 * 24 * 60,
    )
        .prop_map(|(t, m)| t + Duration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn elapsed_hour_clocks_are_exact_across_clock_changes(start in around_transitions(), h in 0u32..200) {
        let due = deadline(start, Some(h), None, None, &cal());
        prop_assert_eq!(due - start, Duration::hours(i64::from(h)));
    }

    #[test]
    fn working_hour_clocks_match_a_minute_by_minute_oracle(start in around_transitions(), h in 1u32..24) {
        let c = cal();
        let due = c.add_working_minutes(start, i64::from(h) * 60);
        prop_assert_eq!(due, oracle(&c, start, i64::from(h) * 60));
        // It ends inside (or at the close of) a working window, in local wall-clock time.
        let local = due.with_timezone(&chrono_tz::Europe::London).naive_local();
        prop_assert!(c.is_working_day(local.date()));
        prop_assert!(local.time() > chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        prop_assert!(local.time() <= chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap());
    }

    #[test]
    fn working_day_clocks_end_at_close_of_a_working_day(start in around_transitions(), d in 1u32..30) {
        let c = cal();
        let due = c.add_working_days(start, d);
        let local = due.with_timezone(&chrono_tz::Europe::London).naive_local();
        prop_assert!(c.is_working_day(local.date()));
        prop_assert_eq!(local.time(), chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap());
        let start_day = start.with_timezone(&chrono_tz::Europe::London).date_naive();
        let working_between = (1..=(local.date() - start_day).num_days())
            .filter(|i| c.is_working_day(start_day + Duration::days(*i)))
            .count();
        prop_assert_eq!(working_between, d as usize);
    }
}

#[test]
fn bank_holiday_list_is_used() {
    let c = cal();
    assert!(!c.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap()));
    assert!(c.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()));
}
