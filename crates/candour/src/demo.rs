//! `candour demo`: realistic, entirely fictional organisations, systems, people and about 200 reports
//! across every kind and lifecycle state. Deterministic, so screenshots and tests see the same data.

use crate::ops::{add_user, cli_principal, CliError};
use candour_core::identity::{Grant, Role, TransitionReports};
use candour_core::lifecycle::{AckMethod, Action};
use candour_core::report::ReportBody;
use candour_core::{ReportKind, Taxonomy};
use candour_store::{DynStore, Organisation, TransitionRequest};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// A demo sign-in.
pub struct DemoLogin {
    /// Username.
    pub username: &'static str,
    /// What they can do.
    pub role: &'static str,
}

/// Every demo account uses this password (demo data only).
pub const DEMO_PASSWORD: &str = "candour-demo-2026";

/// The demo accounts.
pub const LOGINS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "Morgan Ellis", "admin", None),
    (
        "cso.northshire",
        "Dr Priya Raman",
        "clinical_safety_officer",
        Some("RZX"),
    ),
    ("handler.northshire", "Tom Whitfield", "handler", Some("RZX")),
    ("handler.wessexvale", "Aisha Bello", "handler", Some("RZY")),
    ("cyber.analyst", "Sam Kowalczyk", "cyber_analyst", None),
    ("auditor", "Helen Marsh", "auditor", None),
];

const ORGS: &[(&str, &str)] = &[
    ("RZX", "Northshire Teaching Hospitals NHS Foundation Trust"),
    ("RZY", "Wessex Vale Community Health NHS Trust"),
    ("RZW", "Fenland Mental Health Partnership NHS Trust"),
    ("Z99001", "Millbrook Surgery"),
    ("Z99002", "Harbourside Medical Practice"),
];

const SYSTEMS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "CareFlow EPR",
        "Northwind Health Systems",
        &["24.3.1", "24.3.2", "25.1.0"],
        &["Drug chart", "Allergies", "Discharge summary", "Clinical noting"],
    ),
    (
        "MedChart eMAR",
        "Ashdown Clinical Software",
        &["8.2", "8.3"],
        &["Administration round", "Infusions", "Controlled drugs"],
    ),
    (
        "PathLink LIMS",
        "Kestrel Diagnostics",
        &["11.0.4", "11.1.0"],
        &["Results reporting", "Order comms"],
    ),
    ("RadView PACS", "Lumen Imaging", &["7.5"], &["Worklist", "Reporting"]),
    (
        "GP Connect Plus",
        "Brightwater Primary Care IT",
        &["3.9.2", "4.0.0"],
        &["Repeat prescribing", "Appointments", "Messaging"],
    ),
];

const CS_STORIES: &[(&str, &str)] = &[
    ("Allergy banner not shown on drug chart", "After the overnight upgrade the allergy banner did not display on the drug chart screen. A penicillin allergy recorded in the allergies module was only visible after opening the full record. Noticed before administration on the morning round."),
    ("Discharge summary sent without medication changes", "The discharge summary generated for a patient on the respiratory ward omitted the medication changes section. The GP practice received a summary listing the admission medicines only."),
    ("Results delayed by interface queue", "Urgent potassium results were visible in the laboratory system but did not appear in the EPR for about three hours. The interface queue appears to have stalled after a restart."),
    ("Wrong patient context after switching tabs", "When two records were open in separate tabs, notes typed in the second tab were saved against the first record. Caught by the nurse on review; the note was moved by the records team."),
    ("Dose rounding displays 0.5 mg as 5 mg", "On the mobile view the infusion dose field truncated the decimal point so that 0.5 mg showed as 5 mg. The desktop view showed the correct dose."),
    ("Repeat prescription reauthorised without review date", "Repeat prescriptions were reauthorised in bulk and the review date field was cleared for all items, so no medication review reminder was raised."),
    ("Order set defaults to adult dose on paediatric ward", "The sepsis order set defaulted to adult antibiotic doses when opened from the paediatric ward context. Pharmacist intervened before administration."),
];

const CY_STORIES: &[(&str, &str, &str)] = &[
    ("Ransomware note on imaging workstation", "A ransom note appeared on two reporting workstations in radiology. Network isolation of the imaging VLAN started; reporting moved to paper request forms.", "ransomware"),
    ("Credential phishing campaign against ward staff", "Several staff received an email imitating the payroll portal. Two entered credentials before the site was blocked; both accounts have been reset.", "phishing"),
    ("Supplier remote access used outside agreed window", "The pathology supplier's remote access account connected at 02:10 outside the agreed maintenance window. Access suspended pending supplier confirmation.", "supplier_compromise"),
    ("Denial of service against patient portal", "The appointment booking portal was unavailable for 90 minutes under a flood of requests from many addresses. Telephone booking used meanwhile.", "ddos"),
];

const SA_STORIES: &[(&str, &str, &str)] = &[
    ("Caller claiming to be IT asked for a password", "A caller said they were from the IT service desk and asked the ward clerk to read out her password to fix a 'mailbox fault'. She refused and ended the call.", "phone_call"),
    ("USB stick found in outpatients waiting area", "A USB stick labelled 'Salary review 2026' was found on a chair in outpatients. It has not been plugged in and has been handed to the IT security team.", "usb_device"),
    ("Email asking to update bank details for a supplier", "Finance received an email appearing to come from a regular supplier asking to change bank details. The sender domain differs by one letter.", "email"),
];

const VU_STORIES: &[(&str, &str)] = &[
    ("Patient portal session token in URL", "The patient portal places the session token in the URL query string, so it is stored in browser history and proxy logs."),
    ("Default admin password on infusion pump gateway", "The infusion pump gateway web interface accepts the vendor default administrator password documented in the public manual."),
    ("Stored cross-site scripting in referral notes", "Script entered in the referral notes field runs when a clinician opens the referral in the receiving service's inbox."),
];

const DV_STORIES: &[(&str, &str, &str)] = &[
    ("Insulin pump alarm did not sound on occlusion", "The pump did not alarm during a line occlusion; the blood glucose was found high on routine check.", "Insulin pump"),
    ("Hip implant packaging seal broken", "The sterile packaging of a femoral stem was found with a broken seal in theatre before opening. The item was not used and has been quarantined.", "Femoral stem implant"),
    ("Glucose meter reading differs from laboratory", "Point-of-care glucose meter readings were consistently about 2 mmol/L lower than laboratory values on the same samples.", "Blood glucose meter"),
];

const NAMES: &[&str] = &[
    "Alex Morgan",
    "Jordan Reid",
    "Chloe Danvers",
    "Imran Qureshi",
    "Bethan Hughes",
    "Kwame Mensah",
    "Lucy Fairbanks",
    "Oliver Tran",
    "Grace Nwosu",
    "Daniel Price",
];
const ROLES: &[&str] = &[
    "nurse_midwife",
    "doctor",
    "pharmacy",
    "allied_health",
    "admin_clerical",
    "it_digital",
];

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    // Every list above is non-empty.
    v.choose(rng).unwrap_or(&v[0])
}

fn reporter(rng: &mut StdRng) -> serde_json::Value {
    match rng.gen_range(0..10) {
        0 | 1 => json!({"anonymous": true, "why_anonymous": "fear that my employer will use it against me"}),
        _ => {
            let name = pick(rng, NAMES);
            let email = format!("{}@example.nhs.uk", name.to_lowercase().replace(' ', "."));
            json!({"name": name, "role": pick(rng, ROLES), "email": email})
        }
    }
}

fn body(rng: &mut StdRng, kind: usize, at: DateTime<Utc>) -> serde_json::Value {
    let (ods, org_name) = *pick(rng, ORGS);
    let (product, supplier, versions, modules) = *pick(rng, SYSTEMS);
    let occurred = at - Duration::minutes(rng.gen_range(30..4000));
    let detected = occurred + Duration::minutes(rng.gen_range(0..30));
    let harm = ["none", "none", "none", "low", "low", "moderate", "severe"];
    let urgency = *pick(rng, &["routine", "routine", "routine", "urgent", "immediate"]);
    let harmed_now = if urgency == "immediate" {
        "yes"
    } else {
        *pick(rng, &["no", "no", "unknown"])
    };
    let rep = reporter(rng);
    let confidential = rep.get("name").is_some() && rng.gen_bool(0.15);
    let mut b = json!({
        "event_type": if rng.gen_bool(0.7) { "incident" } else { "risk" },
        "ods_code": ods,
        "organisation_name": org_name,
        "occurred_at": occurred,
        "detected_at": detected,
        "aware_at": detected + Duration::minutes(rng.gen_range(0..20)),
        "patients_harmed_now": harmed_now,
        "urgency": urgency,
        "reporter": rep,
        "confidential": confidential,
        "safeguarding_concern": rng.gen_bool(0.03),
    });
    let system =
        json!({"product": product, "supplier": supplier, "version": pick(rng, versions), "module": pick(rng, modules)});
    let extra = match kind {
        0 => {
            let (t, n) = *pick(rng, CS_STORIES);
            let patients: Vec<_> = (0..rng.gen_range(0..3))
                .map(|_| json!({"physical_harm": pick(rng, &harm), "psychological_harm": pick(rng, &["none", "none", "low"])}))
                .collect();
            json!({"kind": "clinical_safety", "title": t, "narrative": n, "system": system, "patients": patients,
                   "immediate_actions": "Ward manager informed; workaround communicated at handover."})
        }
        1 => {
            let (t, n, class) = *pick(rng, CY_STORIES);
            json!({"kind": "cyber_incident", "title": t, "narrative": n, "system": system, "cyber": {
                "contacts": [
                    {"name": "Rachel Okoye", "role": "Head of Cyber Security", "email": "cyber.team@example.nhs.uk", "phone": "0113 496 0000", "single_point_of_contact": true},
                    {"name": "Ian Castell", "role": "IT Service Manager", "email": "it.service@example.nhs.uk"}
                ],
                "local_references": [{"reference": format!("DEF-{}", rng.gen_range(10000..99999)), "url": "https://security.example.nhs.uk/incidents"}],
                "suppliers_involved": [supplier],
                "investigation_stage": pick(rng, &["detection", "triage", "containment", "eradication", "recovery"]),
                "classification": class,
                "impact": {"assets": ["Reporting workstations"], "services": ["Radiology reporting"], "patients": "Reporting delayed; no harm known so far"},
                "indicators_raw": "hxxp://payroll-update[.]example-login[.]com 203.0.113.45",
                "request_type": pick(rng, &["informational", "technical_support"])
            }})
        }
        2 => {
            let (t, n, ch) = *pick(rng, SA_STORIES);
            json!({"kind": "suspicious_activity", "title": t, "narrative": n, "suspicious": {"channel": ch, "interacted": rng.gen_bool(0.2)}})
        }
        3 => {
            let (t, n) = *pick(rng, VU_STORIES);
            json!({"kind": "vulnerability", "event_type": "risk", "title": t, "narrative": n, "vulnerability": {
                "affected_product": product, "affected_version": pick(rng, versions), "description": n,
                "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N"}})
        }
        _ => {
            let (t, n, d) = *pick(rng, DV_STORIES);
            json!({"kind": "device_incident", "title": t, "narrative": n, "device": {
                "device_name": d, "manufacturer": "Fictional Medical Ltd", "gtin": format!("0{}", rng.gen_range(1_000_000_000_000u64..9_999_999_999_999)),
                "lot": format!("L{}", rng.gen_range(1000..9999)), "serial": format!("SN{}", rng.gen_range(100000..999999)),
                "expiry": "2028-06-30", "implanted": d.contains("implant")},
                "patients": [{"physical_harm": pick(rng, &harm), "psychological_harm": "none"}]})
        }
    };
    if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

fn steps(rng: &mut StdRng) -> Vec<Action> {
    let who = [
        ("Dr Priya Raman", "Clinical Safety Officer"),
        ("Tom Whitfield", "Incident handler"),
        ("Sam Kowalczyk", "Cyber analyst"),
    ];
    let (name, role) = *pick(rng, &who);
    let all = vec![
        Action::Acknowledge { name: name.into(), role: role.into(), method: *pick(rng, &[AckMethod::Web, AckMethod::Phone, AckMethod::Email]) },
        Action::Triage { note: Some("Clinical safety relevant; supplier informed.".into()) },
        Action::StartInvestigation { note: None },
        Action::MakeSafe { note: "Workaround issued to all wards; affected screen withdrawn.".into() },
        Action::Resolve { summary: "Supplier released a fix; verified in the test environment and deployed.".into() },
        Action::Close { feedback: "You told us the screen hid important information. The supplier has fixed it, and we have added a check to every upgrade. Thank you for reporting.".into() },
    ];
    if rng.gen_bool(0.05) {
        return vec![Action::Withdraw {
            reason: "Duplicate of an earlier report.".into(),
        }];
    }
    let depth = rng.gen_range(0..=all.len());
    all.into_iter().take(depth).collect()
}

/// Seed the demo data set unless the store already has reports. Returns how many reports were made.
pub async fn seed(store: &DynStore, count: usize, now: DateTime<Utc>) -> Result<usize, CliError> {
    let cli = cli_principal();
    let can = cli
        .can::<candour_core::identity::ViewReports>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    let existing = store
        .list_reports(
            &can,
            &candour_store::ReportFilter {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let orgs = cli
        .can::<candour_core::identity::ManageOrganisations>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    for (code, name) in ORGS {
        store
            .put_organisation(
                &orgs,
                Organisation {
                    ods_code: (*code).into(),
                    name: (*name).into(),
                    require_sign_in: false,
                    // Trusts are operators of essential services; GP practices are not. All are DSPT-subject.
                    nis_oes: code.starts_with('R'),
                    dspt: true,
                    keep_originals: false,
                },
            )
            .await?;
    }
    for (user, display, role, org) in LOGINS {
        let grant = crate::ops::parse_grant(&match org {
            Some(o) => format!("{role}@{o}"),
            None => (*role).to_string(),
        })?;
        if store.user_by_username(user).await?.is_none() {
            add_user(store, user, display, DEMO_PASSWORD, vec![grant]).await?;
        }
    }
    let t = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let intake = candour_web::AppState::new(store.clone(), t, candour_web::WebConfig::default())
        .map_err(|e| CliError::Message(e.to_string()))?;
    let tcan = cli
        .can::<TransitionReports>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    let mut rng = StdRng::seed_from_u64(2026);
    let weights = [0usize, 0, 0, 0, 1, 1, 2, 2, 3, 4];
    for i in 0..count {
        let at = now - Duration::minutes(((count - i) as i64) * 7 * 60 / 2) - Duration::minutes(rng.gen_range(0..60));
        let kind = *pick(&mut rng, &weights);
        let v: ReportBody = serde_json::from_value(body(&mut rng, kind, at))?;
        let (req, _) =
            candour_web::intake::prepare(&intake, &candour_core::identity::Principal::Anonymous, v, None, at)
                .await
                .map_err(|e| CliError::Message(e.to_string()))?;
        let created = store.create_report(req).await?;
        let cyber = matches!(
            created.reference.kind(),
            ReportKind::CyberIncident | ReportKind::Vulnerability
        );
        let mut when = at;
        let mut awaiting_cso = false;
        for (rev, action) in steps(&mut rng).into_iter().enumerate() {
            when += Duration::minutes(rng.gen_range(20..600));
            if when > now {
                break;
            }
            if cyber && matches!(action, Action::Triage { .. }) {
                awaiting_cso = rng.gen_bool(0.3);
                seed_cyber_case(store, &tcan, &created.reference, awaiting_cso, when).await?;
            }
            if awaiting_cso && matches!(action, Action::Close { .. }) {
                break; // its clinical impact awaits the CSO's review, so it cannot close yet
            }
            if cyber && matches!(action, Action::Close { .. }) {
                // Closing needs the clinical impact assessed (issue 7): these demo incidents touched no care.
                let none = candour_core::cyber::ClinicalImpact {
                    level: candour_core::cyber::ImpactLevel::None,
                    summary: "No effect on patient care: no clinical system or service was affected.".into(),
                    services_affected: vec![],
                    downtime: vec![],
                    appointments_postponed: 0,
                    procedures_postponed: 0,
                    diagnostics_delayed: 0,
                    ambulance_diversions: 0,
                    safety_events: vec![],
                };
                let case = store
                    .cyber_case(
                        &cli.can::<candour_core::identity::ViewReports>()
                            .ok_or_else(|| CliError::Message("no capability".into()))?,
                        &created.reference,
                    )
                    .await?;
                let expected_version = case.and_then(|c| c.impact().map(|i| i.version)).unwrap_or(0);
                if expected_version == 0 {
                    store
                        .cyber_change(
                            &tcan,
                            &created.reference,
                            candour_store::CyberChange::Impact {
                                notify: Vec::new(),
                                expected_version,
                                impact: none,
                            },
                            when,
                        )
                        .await?;
                }
            }
            store
                .transition(
                    &tcan,
                    TransitionRequest {
                        reference: created.reference.clone(),
                        expected_revision: Some(rev as i64 + 1),
                        action,
                        now: when,
                    },
                )
                .await?;
        }
    }
    seed_safety(store, &cli, now).await?;
    Ok(count)
}

/// A demo cyber case: the pasted indicators recorded and correlated, a timeline event and a task; every
/// third one also gets a clinical impact that awaits the CSO's review (so it shows as blocking closure).
async fn seed_cyber_case(
    store: &DynStore,
    can: &candour_core::identity::Can<TransitionReports>,
    reference: &candour_core::Reference,
    with_impact: bool,
    when: DateTime<Utc>,
) -> Result<(), CliError> {
    use candour_core::cyber::{ClinicalImpact, ImpactLevel, Task, TaskStatus, TimelineEvent};
    use candour_store::CyberChange;
    let found = candour_ioc::unique(candour_ioc::extract(
        "hxxp://payroll-update[.]example-login[.]com 203.0.113.45 CVE-2026-21001",
    ));
    let list = found
        .into_iter()
        .map(|i| candour_store::NewIndicator {
            excluded: candour_ioc::excluded(&i).map(String::from),
            kind: i.kind.as_str().into(),
            value: i.value,
            is_ioc: true,
            tlp: candour_core::cyber::Tlp::Amber,
            source: "paste".into(),
        })
        .collect();
    store
        .cyber_change(can, reference, CyberChange::AddIndicators(list), when)
        .await?;
    let event = TimelineEvent {
        event_at: when - Duration::hours(6),
        discovered_at: Some(when - Duration::hours(2)),
        summary: "First connection from 203.0.113.45 seen in the firewall log".into(),
    };
    store
        .cyber_change(can, reference, CyberChange::AddEvent(event), when)
        .await?;
    let task = Task {
        title: "Block 203.0.113.45 and the phishing domain at the perimeter".into(),
        assignee: Some("Sam Kowalczyk".into()),
        status: TaskStatus::InProgress,
        due_on: None,
        outcome: None,
    };
    store
        .cyber_change(
            can,
            reference,
            CyberChange::PutTask {
                id: None,
                expected_revision: None,
                task,
            },
            when,
        )
        .await?;
    if with_impact {
        let impact = ClinicalImpact {
            level: ImpactLevel::Low,
            summary: "Outpatient letters delayed while the mail gateway was held; no clinical system was unavailable."
                .into(),
            services_affected: vec!["Outpatients".into()],
            downtime: vec![],
            appointments_postponed: 14,
            procedures_postponed: 0,
            diagnostics_delayed: 0,
            ambulance_diversions: 0,
            safety_events: vec![],
        };
        store
            .cyber_change(
                can,
                reference,
                CyberChange::Impact {
                    notify: Vec::new(),
                    expected_version: 0,
                    impact,
                },
                when,
            )
            .await?;
    }
    Ok(())
}

/// A fictional DCB0160 hazard log at Northshire for the CareFlow EPR, partly adopted from its supplier's
/// log, with the demo CSO's (fictional) record so sign-off can be tried, one review done and reviews due.
async fn seed_safety(
    store: &DynStore,
    cli: &candour_core::identity::Principal,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    use candour_core::clinical::{CsoRecord, HazardInput, HazardTypes, ReviewSubject, RiskScheme, SafetyProject};
    use candour_core::identity::{ManageHazards, ViewHazards};
    let manage = cli
        .can::<ManageHazards>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    let view = cli
        .can::<ViewHazards>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    if !store.safety_projects(&view).await?.is_empty() {
        return Ok(());
    }
    let scheme = RiskScheme::dcb0129_example().map_err(|e| CliError::Message(e.to_string()))?;
    let types = HazardTypes::default_types().map_err(|e| CliError::Message(e.to_string()))?;
    let project: SafetyProject = serde_json::from_value(serde_json::json!({
        "ods_code": "RZX", "name": "CareFlow EPR deployment", "system": "CareFlow EPR 25.1.0", "standard": "DCB0160",
        "intended_use": "Electronic patient record for inpatient wards: clinical noting, drug chart, allergies and discharge summaries",
        "scope": "Adult inpatient wards at Northshire Teaching Hospitals; interfaces to PathLink LIMS and GP Connect Plus",
        "lifecycle_phase": "live",
        "people": [{ "name": "Dr Priya Raman", "role": "Clinical Safety Officer" }, { "name": "Tom Whitfield", "role": "Deployment lead" }],
        "release": "CareFlow EPR 25.1.0, Northshire configuration 14 (fictional demo data)"
    }))?;
    let p = store
        .create_safety_project(
            &manage,
            project.validate()?,
            scheme.reference(),
            now - Duration::days(120),
        )
        .await?;
    let h = |v: serde_json::Value| -> Result<candour_core::clinical::Hazard, CliError> {
        let input: HazardInput = serde_json::from_value(v)?;
        Ok(input.validate(&scheme, &types, &[])?)
    };
    let supplier: HazardInput = serde_json::from_value(serde_json::json!({
        "name": "Allergy banner not shown on the drug chart", "description": "After an upgrade the allergy banner may not render on the drug chart screen.",
        "types": ["Allergy", "WrongDrug"], "clinical_impact": "A drug the patient is allergic to is prescribed or given.",
        "initial": { "likelihood": "Medium", "severity": "Major" }, "residual": { "likelihood": "Low", "severity": "Major" },
        "controls": [
            { "description": "Automated render test of the banner on every screen", "kind": "test", "implementer": "manufacturer", "state": "verified", "evidence": ["Northwind TC-4411"], "effectiveness_verified": true },
            { "description": "Ward staff check allergies at each administration round", "kind": "business_process", "implementer": "health_organisation", "state": "planned" }
        ],
        "status": "transferred"
    }))?;
    let adopted = supplier
        .adopt_from_supplier(
            "Northwind Health Systems",
            "NW-HAZ-017",
            "CareFlow EPR hazard log v25.1",
            (now - Duration::days(100)).date_naive(),
        )
        .validate(&scheme, &types, &[])?;
    let hazards = vec![
        adopted,
        h(serde_json::json!({
            "name": "Discharge summary sent without medication changes", "description": "The summary template omits the medication changes section for some wards.",
            "types": ["Incomplete", "WrongDrugDose"], "clinical_impact": "The GP continues a stopped medicine or misses a new one.",
            "existing_controls": ["Pharmacist reconciliation on discharge"],
            "initial": { "likelihood": "Medium", "severity": "Considerable" },
            "controls": [{ "description": "Template fixed and checked on every ward", "kind": "design", "implementer": "health_organisation", "state": "implemented" }],
            "residual": { "likelihood": "Low", "severity": "Considerable" }, "status": "open",
            "review_due": (now - Duration::days(3)).date_naive().to_string()
        }))?,
        h(serde_json::json!({
            "name": "Results filed against the wrong patient after a record merge", "description": "Merging duplicate records can move results to the surviving record of another patient.",
            "types": ["WrongPatient"], "clinical_impact": "Treatment decided on another patient's results.",
            "initial": { "likelihood": "Low", "severity": "Major" }, "status": "open"
        }))?,
        h(serde_json::json!({
            "name": "EPR unavailable during downtime", "description": "Planned or unplanned downtime leaves wards without records.",
            "types": ["NoAccessToData", "SystemCrash"], "clinical_impact": "Delayed treatment; medicines given twice or missed.",
            "existing_controls": ["Paper downtime packs on each ward"],
            "initial": { "likelihood": "High", "severity": "Considerable" },
            "controls": [{ "description": "Read-only downtime viewer refreshed hourly", "kind": "design", "implementer": "health_organisation", "state": "verified", "evidence": ["Downtime test 2026-09"], "effectiveness_verified": true }],
            "residual": { "likelihood": "Low", "severity": "Considerable" }, "status": "closed",
            "alarp_justification": "Downtime cannot be eliminated; the viewer and paper packs reduce it as far as is reasonably practicable."
        }))?,
    ];
    store
        .import_hazards(&manage, p.id, hazards, "demo".into(), now - Duration::days(90))
        .await?;
    let cso: CsoRecord = serde_json::from_value(serde_json::json!({
        "ods_code": "RZX", "name": "Dr Priya Raman", "username": "cso.northshire", "email": "cso.northshire@example.nhs.uk",
        "profession": "Doctor", "registration_body": "GMC", "registration_number": "0000000",
        "training_evidence": ["Fictional demo record: not a real registration"], "appointed_on": "2025-04-01"
    }))?;
    store.put_cso(&manage, cso.validate()?, now).await?;
    store
        .record_review(
            &manage,
            candour_store::NewReview {
                project_id: p.id,
                subject: ReviewSubject::Crmp,
                done_on: (now - Duration::days(30)).date_naive(),
                outcome: "CRMP still fits the deployment; no change".into(),
                now: now - Duration::days(30),
            },
        )
        .await?;
    Ok(())
}

/// The demo logins, for printing.
pub fn logins() -> Vec<DemoLogin> {
    LOGINS
        .iter()
        .map(|(u, _, r, _)| DemoLogin { username: u, role: r })
        .collect()
}

/// Grants for a demo login (for tests).
pub fn grant_of(username: &str) -> Option<Grant> {
    LOGINS.iter().find(|l| l.0 == username).and_then(|(_, _, role, org)| {
        Some(Grant {
            role: role.parse::<Role>().ok()?,
            org: org.and_then(|o| candour_core::OdsCode::parse(o).ok()),
        })
    })
}
