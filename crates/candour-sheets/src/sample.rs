//! Fictional hazards for tests and benchmarks.

use candour_core::clinical::{
    AssessmentInput, Control, ControlKind, ControlState, Hazard, HazardInput, HazardStatus, HazardTypes, Implementer,
    Provenance, RiskScheme,
};
use chrono::NaiveDate;

const FEATURES: &[(&str, &str)] = &[
    ("Patient search", "WrongPatient"),
    ("Medication chart", "WrongDrugDose"),
    ("Allergy banner", "Allergy"),
    ("Results viewer", "WrongObservationResult"),
    ("Referral inbox", "ReferralNotReceivedActioned"),
    ("Discharge summary", "Incomplete"),
    ("NEWS2 observations", "WrongObservationInterpretation"),
    ("Appointment booking", "DelayedClinicalInteraction"),
    ("Order communications", "RequestNotReceivedActioned"),
    ("Demographics sync", "WrongDemographics"),
    ("Prescription transmission", "DrugDelay"),
    ("Clinical alerts", "AlarmFatigue"),
];

const FAILURES: &[(&str, &str)] = &[
    (
        "shows another patient's record",
        "a clinician acts on the wrong patient's information",
    ),
    (
        "does not display the latest entry",
        "a decision is made on out-of-date information",
    ),
    ("truncates long free text", "part of a clinical instruction is not seen"),
    (
        "is unavailable during an outage",
        "care is delayed while staff fall back to paper",
    ),
    ("duplicates an entry after a retry", "a treatment is given twice"),
    ("rounds a value unexpectedly", "a dose or threshold is misread"),
];

const CAUSES: &[&str] = &[
    "Interface message mapped to the wrong field",
    "Cache not invalidated after an update",
    "User selects from a list of similar names",
    "Network timeout during save",
    "Configuration differs between sites",
    "Character limit in the upstream system",
    "Time zone handling at the daylight saving change",
];

const EXISTING: &[&str] = &[
    "Clinician review of every result before action",
    "NHS number shown on every screen",
    "Paper downtime procedure",
    "Pharmacist verification of prescriptions",
];

const OWNERS: &[&str] = &["Clinical Safety Officer", "Product owner", "Lead developer", "Site CSO"];

/// A small deterministic generator (no randomness needed; varied enough).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn control(description: String, kind: ControlKind, implementer: Implementer, state: ControlState) -> Control {
    Control {
        description,
        kind,
        implementer,
        state,
        evidence: Vec::new(),
        effectiveness_verified: false,
        transferred_from: None,
    }
}

fn verified(mut c: Control, evidence: &str, effective: bool) -> Control {
    c.state = ControlState::Verified;
    c.evidence = vec![evidence.to_string()];
    c.effectiveness_verified = effective;
    c
}

fn sample_input(i: usize, scheme: &RiskScheme) -> HazardInput {
    let mut m = Mix(i as u64 ^ 0x5EED);
    let (feature, hazard_type) = *m.pick(FEATURES);
    let (failure, impact) = *m.pick(FAILURES);
    let nl = scheme.likelihood.len();
    let ns = scheme.severity.len();
    let l = 1 + m.below(nl - 1);
    let s = m.below(ns);
    let lik = |x: usize| scheme.likelihood[x].label.clone();
    let sev = |x: usize| scheme.severity[x].label.clone();
    let raised =
        NaiveDate::from_ymd_opt(2024, 1, 1).and_then(|d| d.checked_add_days(chrono::Days::new((i * 7 % 700) as u64)));
    let target = raised.and_then(|d| d.checked_add_days(chrono::Days::new(90)));
    let review = if i.is_multiple_of(3) {
        raised.and_then(|d| d.checked_add_days(chrono::Days::new(365)))
    } else {
        None
    };
    let n_causes = 1 + m.below(3);
    let causes = (0..n_causes)
        .map(|k| CAUSES[(i + k * 3) % CAUSES.len()].to_string())
        .collect();
    let existing = if i.is_multiple_of(2) {
        vec![m.pick(EXISTING).to_string()]
    } else {
        Vec::new()
    };
    let design = control(
        format!("{feature}: confirm the patient's NHS number and name before saving"),
        ControlKind::Design,
        Implementer::Manufacturer,
        ControlState::Planned,
    );
    let test = control(
        format!("Automated regression test for {} ({failure})", feature.to_lowercase()),
        ControlKind::Test,
        Implementer::Manufacturer,
        ControlState::Planned,
    );
    let training = control(
        format!("Train ward staff on {} downtime procedure", feature.to_lowercase()),
        ControlKind::Training,
        Implementer::HealthOrganisation,
        ControlState::Planned,
    );
    let process = control(
        "Daily reconciliation report checked by the ward manager".to_string(),
        ControlKind::BusinessProcess,
        Implementer::ThirdParty,
        ControlState::Planned,
    );
    let mut input = HazardInput {
        name: format!("{feature} {failure}"),
        description: format!("The {} {failure}.", feature.to_lowercase()),
        causes,
        effects: format!("Information in the {} is wrong or missing", feature.to_lowercase()),
        clinical_impact: format!("Potential harm: {impact}."),
        types: vec![hazard_type.to_string()],
        existing_controls: existing,
        initial: AssessmentInput {
            likelihood: lik(l),
            severity: sev(s),
        },
        controls: Vec::new(),
        residual: None,
        status: HazardStatus::Open,
        alarp_justification: String::new(),
        owner: m.pick(OWNERS).to_string(),
        raised_on: raised,
        target_date: target,
        review_due: review,
        provenance: None,
    };
    let lower = AssessmentInput {
        likelihood: lik(l - 1),
        severity: sev(s),
    };
    match i % 6 {
        0 => input.controls = vec![design, test],
        1 => {
            input.controls = vec![verified(design, &format!("TEST-{:04}", i % 9999), false), training];
            input.residual = Some(lower);
        }
        2 => {
            input.controls = vec![
                verified(design, &format!("https://example.invalid/tests/{i}"), true),
                verified(test, &format!("CI run {i}"), true),
            ];
            input.residual = Some(AssessmentInput {
                likelihood: lik(0),
                severity: sev(s),
            });
            input.status = HazardStatus::Closed;
            input.alarp_justification =
                "Further reduction would need a change to the national spine interface; judged impractical."
                    .to_string();
        }
        3 => {
            let mut t = training;
            t.transferred_from = Some(format!("H-{:03}", 1 + i % 400));
            input.controls = vec![verified(design, &format!("REQ-{i}"), false), t];
            input.residual = Some(lower);
            input.status = HazardStatus::Transferred;
        }
        4 => {
            let mut p = process;
            p.implementer = Implementer::HealthOrganisation;
            p.transferred_from = Some(format!("SUP-{:04}", i % 10_000));
            input.controls = vec![p];
            input.provenance = Some(Provenance {
                supplier: "Example EPR Supplier Ltd".to_string(),
                source_hazard_id: format!("SUP-{:04}", i % 10_000),
                source_document: "Supplier hazard log v4.2".to_string(),
                imported_on: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default(),
            });
        }
        _ => {
            let mut t = test;
            t.implementer = Implementer::ThirdParty;
            t.state = ControlState::Implemented;
            input.controls = vec![t, process];
            input.residual = Some(lower);
        }
    }
    input
}

/// `n` varied, realistic, fictional hazards that are valid under `scheme` (for tests and benchmarks).
#[doc(hidden)]
pub fn sample_hazards(n: usize, scheme: &RiskScheme) -> Vec<Hazard> {
    let types = HazardTypes::default_types().unwrap_or(HazardTypes { group: Vec::new() });
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while out.len() < n && i < n * 4 + 16 {
        let mut input = sample_input(i, scheme);
        if types.group.is_empty() {
            input.types.clear();
        }
        i += 1;
        match input.clone().validate(scheme, &types, &[]) {
            Ok(h) => out.push(h),
            Err(_) => {
                // The scheme's shape ruled this one out (a closed hazard it rates unacceptable, say): keep it
                // open, as assessed.
                input.status = HazardStatus::Open;
                input.residual = None;
                input.alarp_justification.clear();
                if let Ok(h) = input.validate(scheme, &types, &[]) {
                    out.push(h);
                }
            }
        }
    }
    out
}
