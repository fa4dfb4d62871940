//! Safety documents built from the records (issue 6, item 7): the Clinical Safety Case Report (the 11
//! sections of DCB0129 IG Table 6 followed by the DTAC C1.2.4 extras), the Clinical Risk Management Plan, an
//! issued Hazard Log in the NHS template's column order, and the risk scheme declaration both embed.
//!
//! Pure and deterministic: the same records give the same [`Document`] and so the same content hash, which
//! is what a CSO approves. Hazards are ordered by number, counts by key, approvals and incidents by their
//! own fields, never by input order or hash-map iteration. Nothing here reads the clock: the date is given.
//!
//! The text is factual, generated from the records. The summary safety statement states what the log
//! shows; the CSO's approval of the report is what makes it the CSO's statement.

use super::compliance::{Answer, ComplianceRow};
use super::cso::CsoRecord;
use super::document::{Block, Document, DocumentKind, Section};
use super::hazard::{Control, ControlKind, ControlState, Hazard, HazardStatus, Implementer};
use super::project::{SafetyProject, Standard, PHASES};
use super::scheme::{Assessment, RiskScheme};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An issued, approved version of a safety document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Approval {
    pub kind: DocumentKind,
    pub version: u32,
    pub approved_by: String,
    /// As printed beside the signature, e.g. "GMC 7654321".
    pub registration: String,
    /// RFC 3339.
    pub approved_at: String,
    pub content_hash: String,
}

/// A safety incident linked to a hazard at triage (references only; summaries already redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IncidentLink {
    /// e.g. `CAN-2026-0001`.
    pub reference: String,
    /// Already redacted: no personal data.
    pub summary: String,
    /// e.g. `H-001`.
    pub hazard_id: String,
    /// `new_hazard`, `realises` or `control_failed`.
    pub kind: String,
    pub at: chrono::NaiveDate,
}

/// Everything a document is built from.
#[derive(Debug, Clone, Copy)]
pub struct CaseInput<'a> {
    pub project: &'a SafetyProject,
    pub scheme: &'a RiskScheme,
    /// (`H-001`, hazard).
    pub hazards: &'a [(String, Hazard)],
    pub cso: Option<&'a CsoRecord>,
    /// The version being drafted.
    pub version: u32,
    pub date: chrono::NaiveDate,
    /// Earlier issued versions of any kind: the revision history, and the hazard log version issued with
    /// a CSCR.
    pub approvals: &'a [Approval],
    pub incidents: &'a [IncidentLink],
    /// May be empty.
    pub compliance: &'a [ComplianceRow],
}

/// The CSCR's section titles, in order: IG Table 6 (1 to 11), then the DTAC C1.2.4 extras (12 to 17). A
/// compliance assessment, when answers are given, follows as section 18.
pub const CSCR_SECTIONS: [&str; 17] = [
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
];

/// The CRMP's section titles, in order (domain notes §8).
pub const CRMP_SECTIONS: [&str; 13] = [
    "Scope and intended use",
    "Roles and responsibilities",
    "Authorisation levels",
    "Related documents",
    "Lifecycle phases at which a safety case report is issued",
    "Hazard identification method",
    "Risk scheme declaration",
    "Risk-control approach",
    "Control verification",
    "Residual risk evaluation",
    "Deployment and post-deployment",
    "Review cadence",
    "Stakeholders",
];

// ----- small helpers -------------------------------------------------------------------------------------

fn para(s: impl Into<String>) -> Block {
    Block::Paragraph(s.into())
}

fn fields(pairs: &[(&str, String)]) -> Block {
    Block::Fields(pairs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect())
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        header: header.iter().map(|h| (*h).to_string()).collect(),
        rows,
    }
}

fn sections(list: Vec<(&str, Vec<Block>)>) -> Vec<Section> {
    list.into_iter()
        .enumerate()
        .map(|(i, (title, blocks))| Section {
            number: (i + 1).to_string(),
            title: title.to_string(),
            blocks,
        })
        .collect()
}

fn or_not_recorded(s: &str) -> String {
    if s.trim().is_empty() {
        "Not recorded".to_string()
    } else {
        s.trim().to_string()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn kind_label(k: ControlKind) -> &'static str {
    match k {
        ControlKind::Design => "Design",
        ControlKind::Test => "Test",
        ControlKind::Training => "Training",
        ControlKind::BusinessProcess => "Business process change",
    }
}

const KINDS: [ControlKind; 4] = [
    ControlKind::Design,
    ControlKind::Test,
    ControlKind::Training,
    ControlKind::BusinessProcess,
];

fn implementer_label(i: Implementer) -> &'static str {
    match i {
        Implementer::Manufacturer => "Manufacturer",
        Implementer::HealthOrganisation => "Health organisation",
        Implementer::ThirdParty => "Third party",
    }
}

fn state_label(s: ControlState) -> &'static str {
    match s {
        ControlState::Planned => "Planned",
        ControlState::Implemented => "Implemented",
        ControlState::Verified => "Verified",
    }
}

fn status_label(s: HazardStatus) -> &'static str {
    match s {
        HazardStatus::Open => "Open",
        HazardStatus::Transferred => "Transferred",
        HazardStatus::Closed => "Closed",
    }
}

const STATUSES: [HazardStatus; 3] = [HazardStatus::Open, HazardStatus::Transferred, HazardStatus::Closed];

fn triage_label(kind: &str) -> String {
    match kind {
        "new_hazard" => "New hazard".to_string(),
        "realises" => "Realises a recorded hazard".to_string(),
        "control_failed" => "A control failed".to_string(),
        other => other.to_string(),
    }
}

fn acceptability_label(scheme: &RiskScheme, rating: u8) -> String {
    scheme
        .acceptability_of(rating)
        .map(|a| a.label.clone())
        .unwrap_or_else(|| "Not in the scheme".to_string())
}

/// Not acceptable even once reduced as low as reasonably practicable (4 and 5 in the NHS example).
fn unacceptable(scheme: &RiskScheme, rating: u8) -> bool {
    scheme.acceptability_of(rating).is_none_or(|a| !a.acceptable_if_alarp)
}

/// Acceptable only once shown to be as low as reasonably practicable (3 in the NHS example).
fn needs_alarp(scheme: &RiskScheme, rating: u8) -> bool {
    scheme
        .acceptability_of(rating)
        .is_some_and(|a| a.requires_action && a.acceptable_if_alarp)
}

/// "Medium (L3)".
fn labelled(scheme: &RiskScheme, a: &Assessment) -> (String, String) {
    scheme.labels(a)
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn control_summary(c: &Control) -> String {
    format!(
        "{} ({}; {}; {})",
        c.description.trim(),
        kind_label(c.kind),
        implementer_label(c.implementer),
        state_label(c.state)
    )
}

fn evidence_text(c: &Control) -> String {
    let e: Vec<&str> = c.evidence.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).collect();
    if e.is_empty() {
        "None recorded".to_string()
    } else {
        e.join("\n")
    }
}

/// Hazards in number order (`H-2` before `H-10`), then by id.
fn sorted_hazards<'a>(input: &CaseInput<'a>) -> Vec<&'a (String, Hazard)> {
    let mut v: Vec<&(String, Hazard)> = input.hazards.iter().collect();
    v.sort_by(|a, b| {
        let na = super::hazard_number(&a.0).unwrap_or(i64::MAX);
        let nb = super::hazard_number(&b.0).unwrap_or(i64::MAX);
        na.cmp(&nb).then_with(|| a.0.cmp(&b.0))
    });
    v
}

fn dcb0160(input: &CaseInput) -> bool {
    input.project.standard == Standard::Dcb0160
}

/// The CSO's name: the record, else a person on the project in the role, else the role itself.
fn cso_name(input: &CaseInput) -> String {
    if let Some(c) = input.cso.filter(|c| !c.name.trim().is_empty()) {
        return c.name.trim().to_string();
    }
    input
        .project
        .people
        .iter()
        .find(|p| {
            let r = p.role.to_lowercase();
            r.contains("clinical safety officer") || r.split(|c: char| !c.is_alphanumeric()).any(|w| w == "cso")
        })
        .map(|p| p.name.trim().to_string())
        .unwrap_or_else(|| "the Clinical Safety Officer".to_string())
}

/// The latest approved version of a kind of document.
fn latest<'a>(input: &CaseInput<'a>, kind: DocumentKind) -> Option<&'a Approval> {
    input.approvals.iter().filter(|a| a.kind == kind).max_by(|a, b| {
        a.version
            .cmp(&b.version)
            .then_with(|| a.approved_at.cmp(&b.approved_at))
            .then_with(|| a.content_hash.cmp(&b.content_hash))
    })
}

fn approval_text(a: &Approval) -> String {
    format!(
        "version {}, approved by {} ({}) at {}, content hash {}",
        a.version,
        a.approved_by,
        or_not_recorded(&a.registration),
        a.approved_at,
        a.content_hash
    )
}

fn meta(input: &CaseInput) -> Vec<(String, String)> {
    let p = input.project;
    let s = input.scheme;
    vec![
        ("Project".to_string(), p.name.clone()),
        ("System".to_string(), p.system.clone()),
        ("Standard".to_string(), p.standard.as_str().to_string()),
        ("Organisation (ODS)".to_string(), p.ods_code.clone()),
        ("Lifecycle phase".to_string(), p.lifecycle_phase.clone()),
        ("Document version".to_string(), input.version.to_string()),
        ("Date".to_string(), date(input.date)),
        ("Status".to_string(), "Draft — not approved".to_string()),
        (
            "Risk scheme".to_string(),
            format!("{} ({} v{})", s.name, s.id, s.version),
        ),
    ]
}

fn title(kind: DocumentKind, input: &CaseInput) -> String {
    format!("{}: {}", kind.title(), input.project.system)
}

/// The CSO's details, or what is missing from their record.
fn cso_blocks(input: &CaseInput) -> Vec<Block> {
    match input.cso {
        None => vec![para(
            "CSO record incomplete: no Clinical Safety Officer is recorded for this project. A named CSO with \
             profession and current professional registration must be on record before this document can be \
             approved (DCB0129 §2.2.1, §2.3).",
        )],
        Some(c) => {
            let missing = c.missing();
            let mut out = vec![fields(&[
                ("Clinical Safety Officer", or_not_recorded(&c.name)),
                ("Organisation (ODS)", c.ods_code.clone()),
                ("Profession", or_not_recorded(&c.profession)),
                (
                    "Registration",
                    if c.registration_body.trim().is_empty() || c.registration_number.trim().is_empty() {
                        "Not recorded".to_string()
                    } else {
                        c.registration()
                    },
                ),
                (
                    "Training",
                    if c.training_evidence.is_empty() {
                        "Not recorded".to_string()
                    } else {
                        c.training_evidence.join("; ")
                    },
                ),
                (
                    "Appointed on",
                    c.appointed_on.map(date).unwrap_or_else(|| "Not recorded".to_string()),
                ),
            ])];
            if !missing.is_empty() {
                let names: Vec<String> = missing.iter().map(|m| m.replace('_', " ")).collect();
                out.push(para(format!(
                    "CSO record incomplete: {}. This document cannot be approved until the CSO records these \
                     details themselves; Candour never records a registration on anyone's behalf (DCB0129 §2.3).",
                    names.join(", ")
                )));
            }
            out
        }
    }
}

fn people_table(input: &CaseInput) -> Block {
    if input.project.people.is_empty() {
        return para("No people are recorded on the project.");
    }
    table(
        &["Name", "Role"],
        input
            .project
            .people
            .iter()
            .map(|p| vec![p.name.clone(), p.role.clone()])
            .collect(),
    )
}

// ----- the scheme declaration ----------------------------------------------------------------------------

/// The declaration of a risk scheme, as the CRMP and CSCR embed it (DTAC C1.2.4): the likelihood table, the
/// severity table (single and multiple patients), the matrix as a table, the acceptability table, and a
/// statement that the rating is a lookup, naming the scheme id and version.
///
/// The matrix table has one row per likelihood, **highest first** as IG Table 9 shows it, and one column
/// per severity, lowest first; its first cell names the likelihood.
pub fn scheme_declaration(scheme: &RiskScheme) -> Vec<Block> {
    let dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    let mut out = vec![para(format!(
        "Clinical risk is assessed with the risk scheme \"{}\" (id {}, version {}, profile {}). Each hazard's \
         initial and residual assessments record this id and version. The risk rating is looked up in the \
         matrix below from the likelihood and the severity; it is never typed and never calculated as \
         likelihood × severity. The NHS tables are examples (DCB0129 IG §4.4): the scheme used is declared \
         here, as DTAC C1.2.4 asks.",
        scheme.name, scheme.id, scheme.version, scheme.profile
    ))];
    out.push(para("Likelihood, lowest first:"));
    out.push(table(
        &["Code", "Likelihood", "Definition", "Probability"],
        scheme
            .likelihood
            .iter()
            .map(|l| {
                vec![
                    l.code.clone(),
                    l.label.clone(),
                    l.definition.clone(),
                    dash(l.probability.as_deref().unwrap_or("")),
                ]
            })
            .collect(),
    ));
    out.push(para(
        "Severity, lowest first. A consequence to several patients rates one level higher than the same \
         consequence to a single patient:",
    ));
    out.push(table(
        &["Code", "Severity", "Single patient", "Multiple patients"],
        scheme
            .severity
            .iter()
            .map(|s| vec![s.code.clone(), s.label.clone(), dash(&s.single), dash(&s.multiple)])
            .collect(),
    ));
    out.push(para(
        "Risk matrix: the rating for each likelihood (rows) and severity (columns):",
    ));
    let mut header = vec!["Likelihood \\ Severity".to_string()];
    header.extend(scheme.severity.iter().map(|s| format!("{} ({})", s.label, s.code)));
    let rows = scheme
        .likelihood
        .iter()
        .zip(&scheme.matrix)
        .rev()
        .map(|(l, row)| {
            let mut r = vec![format!("{} ({})", l.label, l.code)];
            r.extend(row.iter().map(|v| v.to_string()));
            r
        })
        .collect();
    out.push(Block::Table { header, rows });
    out.push(para("Acceptability of each rating:"));
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_string();
    let mut acc: Vec<_> = scheme.acceptability.iter().collect();
    acc.sort_by_key(|a| a.rating);
    out.push(table(
        &[
            "Rating",
            "Acceptability",
            "Definition",
            "Action required",
            "Acceptable once ALARP",
        ],
        acc.iter()
            .map(|a| {
                vec![
                    a.rating.to_string(),
                    a.label.clone(),
                    a.definition.clone(),
                    yes_no(a.requires_action),
                    yes_no(a.acceptable_if_alarp),
                ]
            })
            .collect(),
    ));
    let warnings = scheme.warnings();
    if !warnings.is_empty() {
        out.push(para(
            "This scheme differs from the NHS example in ways assessors query:",
        ));
        out.push(Block::Bullets(warnings));
    }
    out
}

// ----- the Clinical Safety Case Report -------------------------------------------------------------------

/// The Clinical Safety Case Report for `input.version`, as a draft for the CSO to approve.
pub fn cscr(input: &CaseInput) -> Document {
    let p = input.project;
    let scheme = input.scheme;
    let deployer = dcb0160(input);
    let hazards = sorted_hazards(input);
    let cso = cso_name(input);
    let controls: Vec<(&str, &Control)> = hazards
        .iter()
        .flat_map(|(id, h)| h.controls.iter().map(move |c| (id.as_str(), c)))
        .collect();

    // 1 Introduction
    let intro = vec![
        para(if deployer {
            format!(
                "This report presents the argument and evidence that the deployment of {} by the health \
                 organisation {} is safe for its intended use in its clinical environment at the {} lifecycle \
                 phase. It is produced under DCB0160 by the deploying organisation, building on the \
                 manufacturer's DCB0129 safety case.",
                p.system, p.ods_code, p.lifecycle_phase
            )
        } else {
            format!(
                "This report presents the argument and evidence that {} is safe for its intended use at the {} \
                 lifecycle phase. It is produced under DCB0129 by the manufacturer ({}).",
                p.system, p.lifecycle_phase, p.ods_code
            )
        }),
        fields(&[
            (
                "Purpose",
                "To set out the clinical safety position of the system and the evidence for it, for approval by \
                 the Clinical Safety Officer"
                    .to_string(),
            ),
            ("Lifecycle phase", p.lifecycle_phase.clone()),
            ("Standard", p.standard.as_str().to_string()),
            ("Document version", input.version.to_string()),
        ]),
    ];

    // 2 System definition
    let system = vec![fields(&[
        ("System", p.system.clone()),
        ("Intended use", p.intended_use.clone()),
        ("Scope", or_not_recorded(&p.scope)),
        (
            "Release configuration",
            if p.release.trim().is_empty() {
                "Not recorded: record the release version, build and configuration (DCB0129 §7.1.3)".to_string()
            } else {
                p.release.trim().to_string()
            },
        ),
    ])];

    // 3 Clinical risk management system
    let mut crms = vec![para(format!(
        "Clinical risk is managed under the project's Clinical Risk Management Plan. Hazards are recorded in \
         Candour's hazard log, which keeps every revision and never deletes a hazard; ratings are looked up \
         from the declared risk scheme (section 12). The Clinical Safety Officer approves the plan, every \
         version of the hazard log and every version of this report.{}",
        if deployer {
            " The deploying organisation reviews the manufacturer's safety case report and hazard log and \
             implements the controls transferred to it."
        } else {
            ""
        }
    ))];
    crms.push(para("People and roles:"));
    crms.push(people_table(input));
    crms.extend(cso_blocks(input));

    // 4 Clinical risk analysis
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for (_, h) in &hazards {
        if h.types.is_empty() {
            *by_type.entry("(no type)".to_string()).or_default() += 1;
        }
        for t in &h.types {
            *by_type.entry(t.clone()).or_default() += 1;
        }
    }
    let mut analysis = vec![para(format!(
        "{} identified for the intended use, under normal and fault conditions. Each records its causes, \
         effects, potential clinical impact and the existing controls that count in its initial assessment.",
        plural(hazards.len(), "hazard is", "hazards are")
    ))];
    if deployer {
        let imported = hazards.iter().filter(|(_, h)| h.provenance.is_some()).count();
        analysis.push(para(format!(
            "{} imported from the manufacturer's hazard log and {} local (workflow, configuration, interfaces, \
             training, downtime and business continuity).",
            plural(imported, "hazard is", "hazards are"),
            hazards.len() - imported
        )));
    }
    analysis.push(table(
        &["Hazard type", "Hazards"],
        by_type.into_iter().map(|(t, n)| vec![t, n.to_string()]).collect(),
    ));
    analysis.push(para(if p.people.is_empty() {
        "Who took part: no people are recorded on the project; record the multidisciplinary group that took \
         part in the analysis (DCB0129 §4.1.3)."
            .to_string()
    } else {
        format!(
            "Who took part: the people recorded on the project ({}).",
            p.people
                .iter()
                .map(|x| format!("{}, {}", x.name, x.role))
                .collect::<Vec<_>>()
                .join("; ")
        )
    }));

    // 5 Clinical risk evaluation
    let mut ratings: Vec<u8> = scheme.acceptability.iter().map(|a| a.rating).collect();
    ratings.sort_unstable();
    let count_by = |f: &dyn Fn(&Hazard) -> u8| -> Vec<Vec<String>> {
        ratings
            .iter()
            .map(|r| {
                vec![
                    r.to_string(),
                    acceptability_label(scheme, *r),
                    hazards.iter().filter(|(_, h)| f(h) == *r).count().to_string(),
                ]
            })
            .collect()
    };
    let needing_action: Vec<&str> = hazards
        .iter()
        .filter(|(_, h)| {
            scheme
                .acceptability_of(h.initial.rating)
                .is_none_or(|a| a.requires_action)
        })
        .map(|(id, _)| id.as_str())
        .collect();
    let evaluation = vec![
        para(
            "Initial risk is estimated with the existing controls in place and evaluated against the \
             acceptability criteria of the declared scheme (section 12).",
        ),
        table(
            &["Initial rating", "Acceptability", "Hazards"],
            count_by(&|h: &Hazard| h.initial.rating),
        ),
        para(if needing_action.is_empty() {
            "No hazard's initial risk requires further action.".to_string()
        } else {
            format!(
                "Initial risk requiring action (controls): {}.",
                needing_action.join(", ")
            )
        }),
    ];

    // 6 Clinical risk control
    let mut control = vec![para(
        "Controls are chosen in order of preference: eliminate by design, protective measures, information \
         for safety, training, business process. Each records who implements it, its state and the evidence \
         of its verification.",
    )];
    control.push(table(
        &["Kind", "Planned", "Implemented", "Verified"],
        KINDS
            .iter()
            .map(|k| {
                let n = |s: ControlState| {
                    controls
                        .iter()
                        .filter(|(_, c)| c.kind == *k && c.state == s)
                        .count()
                        .to_string()
                };
                vec![
                    kind_label(*k).to_string(),
                    n(ControlState::Planned),
                    n(ControlState::Implemented),
                    n(ControlState::Verified),
                ]
            })
            .collect(),
    ));
    let verified = controls
        .iter()
        .filter(|(_, c)| c.state == ControlState::Verified && c.evidence.iter().any(|e| !e.trim().is_empty()))
        .count();
    let effective = controls.iter().filter(|(_, c)| c.effectiveness_verified).count();
    control.push(para(format!(
        "{verified} of {} verified with evidence; {effective} of them also have their effectiveness verified \
         (DCB0129 §6.3).",
        plural(controls.len(), "control is", "controls are"),
    )));
    control.push(table(
        &["Hazard", "Control", "Kind", "Implementer", "State", "Evidence"],
        controls
            .iter()
            .map(|(id, c)| {
                vec![
                    (*id).to_string(),
                    c.description.trim().to_string(),
                    kind_label(c.kind).to_string(),
                    implementer_label(c.implementer).to_string(),
                    state_label(c.state).to_string(),
                    evidence_text(c),
                ]
            })
            .collect(),
    ));
    let planned: Vec<String> = controls
        .iter()
        .filter(|(_, c)| !c.in_place())
        .map(|(id, c)| {
            format!(
                "{id}: {} ({}; {}) — planned; does not reduce risk",
                c.description.trim(),
                kind_label(c.kind),
                implementer_label(c.implementer)
            )
        })
        .collect();
    if planned.is_empty() {
        control.push(para("No control is planned: every control is implemented or verified."));
    } else {
        control.push(para(
            "Controls that are planned do not reduce risk: the residual assessments count only controls that \
             are implemented or verified. Planned controls:",
        ));
        control.push(Block::Bullets(planned));
    }

    // 7 Hazard log
    let log = latest(input, DocumentKind::HazardLog);
    let hazard_log = vec![
        para(
            "The hazard log is issued with this report, not in its body (DTAC C1.2). It lists every hazard \
             with its causes, controls, initial and residual assessments and status.",
        ),
        fields(&[(
            "Hazard log issued with this report",
            match log {
                Some(a) => format!("Hazard log {}", approval_text(a)),
                None => "Not yet issued: a hazard log version approved by the CSO must be issued with this \
                         report (DCB0129 §3.3)"
                    .to_string(),
            },
        )]),
    ];

    // 8 Test issues
    let test_issues: Vec<Vec<String>> = controls
        .iter()
        .filter(|(_, c)| c.kind == ControlKind::Test && c.state != ControlState::Verified)
        .map(|(id, c)| {
            vec![
                (*id).to_string(),
                c.description.trim().to_string(),
                state_label(c.state).to_string(),
                implementer_label(c.implementer).to_string(),
            ]
        })
        .collect();
    let tests = if test_issues.is_empty() {
        vec![para(
            "No outstanding test issues: every control of kind Test is verified with evidence.",
        )]
    } else {
        vec![
            para(format!(
                "{} not yet verified; the hazards they control keep their current residual risk until they are:",
                plural(test_issues.len(), "test control is", "test controls are")
            )),
            table(&["Hazard", "Test", "State", "Implementer"], test_issues),
        ]
    };

    // 9 Summary safety statement
    let summary = summary_statement(input, &hazards, &ratings);

    // 10 Quality assurance and document approval
    let mut history: Vec<&Approval> = input.approvals.iter().collect();
    history.sort_by(|a, b| {
        a.kind
            .as_str()
            .cmp(b.kind.as_str())
            .then(a.version.cmp(&b.version))
            .then_with(|| a.approved_at.cmp(&b.approved_at))
            .then_with(|| a.content_hash.cmp(&b.content_hash))
    });
    let mut qa = vec![para(
        "This report is generated by Candour from the project's records. The content hash of each approved \
         version is stored with its approval, so an issued version can be shown to be exactly what was signed.",
    )];
    qa.push(para("Revision history (issued versions):"));
    if history.is_empty() {
        qa.push(para("No document of this project has been issued yet."));
    } else {
        qa.push(table(
            &[
                "Document",
                "Version",
                "Approved by",
                "Registration",
                "Approved at",
                "Content hash",
            ],
            history
                .iter()
                .map(|a| {
                    vec![
                        a.kind.title().to_string(),
                        a.version.to_string(),
                        a.approved_by.clone(),
                        or_not_recorded(&a.registration),
                        a.approved_at.clone(),
                        a.content_hash.clone(),
                    ]
                })
                .collect(),
        ));
    }
    qa.push(para(format!(
        "Approval of version {}: this is a draft and is not approved.",
        input.version
    )));
    qa.push(table(
        &["Approver", "Role", "Registration", "Approved at", "Content hash"],
        vec![vec![
            format!("To be approved by {cso}"),
            "Clinical Safety Officer".to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]],
    ));

    // 11 Configuration control
    let previous = latest(input, DocumentKind::Cscr);
    let configuration = vec![
        fields(&[
            ("This version", input.version.to_string()),
            (
                "Previous issued version",
                previous.map(approval_text).unwrap_or_else(|| "None".to_string()),
            ),
            ("Release configuration", or_not_recorded(&p.release)),
            ("Risk scheme", format!("{} v{}", scheme.id, scheme.version)),
            (
                "Hazard log version",
                log.map(|a| a.version.to_string())
                    .unwrap_or_else(|| "Not yet issued".to_string()),
            ),
        ]),
        para(
            "Every approved version is kept with its content hash and is never changed after approval. A \
             release that changes clinical risk needs a new version of this report (DCB0129 §7.3.3), and an \
             audit trail of every version and patch released is kept (§7.3.4).",
        ),
    ];

    // 12 Risk scheme declaration
    let declaration = scheme_declaration(scheme);

    // 13 Residual risks
    let mut residual = vec![para(
        "Residual risk of each hazard, counting only controls that are in place:",
    )];
    residual.push(table(
        &[
            "Hazard",
            "Name",
            "Residual likelihood",
            "Residual severity",
            "Rating",
            "Acceptability",
            "ALARP justification",
        ],
        hazards
            .iter()
            .map(|(id, h)| {
                let (l, s) = labelled(scheme, &h.residual);
                vec![
                    id.clone(),
                    h.name.clone(),
                    l,
                    s,
                    h.residual.rating.to_string(),
                    acceptability_label(scheme, h.residual.rating),
                    if h.alarp_justification.trim().is_empty() {
                        if needs_alarp(scheme, h.residual.rating) {
                            "Not recorded".to_string()
                        } else {
                            "—".to_string()
                        }
                    } else {
                        h.alarp_justification.trim().to_string()
                    },
                ]
            })
            .collect(),
    ));
    let not_alarp: Vec<&str> = hazards
        .iter()
        .filter(|(_, h)| needs_alarp(scheme, h.residual.rating) && h.alarp_justification.trim().is_empty())
        .map(|(id, _)| id.as_str())
        .collect();
    residual.push(para(if not_alarp.is_empty() {
        "Every residual risk that is acceptable only once as low as reasonably practicable has its \
         justification recorded."
            .to_string()
    } else {
        format!(
            "Not yet shown to be as low as reasonably practicable (no justification recorded): {}.",
            not_alarp.join(", ")
        )
    }));

    // 14 Transferred hazards
    let transferred: Vec<Vec<String>> = hazards
        .iter()
        .filter(|(_, h)| {
            h.status == HazardStatus::Transferred
                || h.controls
                    .iter()
                    .any(|c| c.implementer == Implementer::HealthOrganisation)
        })
        .flat_map(|(id, h)| {
            let ho: Vec<&Control> = h
                .controls
                .iter()
                .filter(|c| c.implementer == Implementer::HealthOrganisation)
                .collect();
            let rows: Vec<Vec<String>> = if ho.is_empty() {
                vec![vec![
                    id.clone(),
                    h.name.clone(),
                    status_label(h.status).to_string(),
                    "No health organisation control recorded".to_string(),
                    String::new(),
                    String::new(),
                ]]
            } else {
                ho.iter()
                    .map(|c| {
                        vec![
                            id.clone(),
                            h.name.clone(),
                            status_label(h.status).to_string(),
                            c.description.trim().to_string(),
                            state_label(c.state).to_string(),
                            c.transferred_from.clone().unwrap_or_default(),
                        ]
                    })
                    .collect()
            };
            rows
        })
        .collect();
    let transfer = if transferred.is_empty() {
        vec![para(if deployer {
            "No control on these hazards is for this organisation to implement."
        } else {
            "No hazard is transferred: no control is declared for a health organisation to implement."
        })]
    } else {
        vec![
            para(if deployer {
                "Controls this organisation implements, including those the manufacturer transferred to it, \
                 which become local actions:"
            } else {
                "Hazards with controls that the deploying health organisation must implement (IG §4.5). Each \
                 deploying organisation's CSO should take these into its own hazard log as local actions:"
            }),
            table(
                &[
                    "Hazard",
                    "Name",
                    "Status",
                    "Declared control",
                    "State",
                    "Transferred from",
                ],
                transferred,
            ),
        ]
    };

    // 15 Hazards needing user or commissioner action
    let user_action: Vec<Vec<String>> = controls
        .iter()
        .filter(|(_, c)| matches!(c.kind, ControlKind::Training | ControlKind::BusinessProcess))
        .map(|(id, c)| {
            vec![
                (*id).to_string(),
                c.description.trim().to_string(),
                kind_label(c.kind).to_string(),
                implementer_label(c.implementer).to_string(),
                state_label(c.state).to_string(),
            ]
        })
        .collect();
    let users = if user_action.is_empty() {
        vec![para("No hazard relies on training or a business process change.")]
    } else {
        vec![
            para("Controls that rely on users or commissioners (training, business process change):"),
            table(&["Hazard", "Control", "Kind", "Implementer", "State"], user_action),
        ]
    };

    // 16 Safety incidents considered
    let mut incidents: Vec<&IncidentLink> = input.incidents.iter().collect();
    incidents.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.reference.cmp(&b.reference))
            .then_with(|| a.hazard_id.cmp(&b.hazard_id))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.summary.cmp(&b.summary))
    });
    let incident_blocks = if incidents.is_empty() {
        vec![para("No safety incident is linked to a hazard.")]
    } else {
        vec![
            para(
                "Safety incidents triaged against the hazard log: a new hazard, the realisation of a recorded \
                 hazard, or a control that failed. References only; personal data is kept out of this report.",
            ),
            table(
                &["Reference", "Date", "Hazard", "Triage", "Summary"],
                incidents
                    .iter()
                    .map(|i| {
                        vec![
                            i.reference.clone(),
                            date(i.at),
                            i.hazard_id.clone(),
                            triage_label(&i.kind),
                            i.summary.clone(),
                        ]
                    })
                    .collect(),
            ),
        ]
    };

    // 17 Third-party products
    let third: Vec<Vec<String>> = controls
        .iter()
        .filter(|(_, c)| c.implementer == Implementer::ThirdParty)
        .map(|(id, c)| {
            vec![
                (*id).to_string(),
                c.description.trim().to_string(),
                state_label(c.state).to_string(),
                evidence_text(c),
            ]
        })
        .collect();
    let mut third_party = vec![para(
        "Each third-party product in the release is assessed for its clinical risk, and the kind of \
         assessment is stated here (DCB0129 §2.5).",
    )];
    if third.is_empty() {
        third_party.push(para("No hazard records a control implemented by a third party."));
    } else {
        third_party.push(table(&["Hazard", "Third-party control", "State", "Evidence"], third));
    }

    let mut list = vec![
        (CSCR_SECTIONS[0], intro),
        (CSCR_SECTIONS[1], system),
        (CSCR_SECTIONS[2], crms),
        (CSCR_SECTIONS[3], analysis),
        (CSCR_SECTIONS[4], evaluation),
        (CSCR_SECTIONS[5], control),
        (CSCR_SECTIONS[6], hazard_log),
        (CSCR_SECTIONS[7], tests),
        (CSCR_SECTIONS[8], summary),
        (CSCR_SECTIONS[9], qa),
        (CSCR_SECTIONS[10], configuration),
        (CSCR_SECTIONS[11], declaration),
        (CSCR_SECTIONS[12], residual),
        (CSCR_SECTIONS[13], transfer),
        (CSCR_SECTIONS[14], users),
        (CSCR_SECTIONS[15], incident_blocks),
        (CSCR_SECTIONS[16], third_party),
    ];
    if !input.compliance.is_empty() {
        list.push(("Compliance assessment", compliance_blocks(input)));
    }
    Document {
        kind: DocumentKind::Cscr,
        title: title(DocumentKind::Cscr, input),
        meta: meta(input),
        sections: sections(list),
    }
}

fn summary_statement(input: &CaseInput, hazards: &[&(String, Hazard)], ratings: &[u8]) -> Vec<Block> {
    let scheme = input.scheme;
    let deployer = dcb0160(input);
    let mut out = Vec::new();
    let by_status: Vec<String> = STATUSES
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                hazards.iter().filter(|(_, h)| h.status == *s).count(),
                status_label(*s)
            )
        })
        .collect();
    let by_rating: Vec<String> = ratings
        .iter()
        .map(|r| {
            format!(
                "{} rated {} ({})",
                hazards.iter().filter(|(_, h)| h.residual.rating == *r).count(),
                r,
                acceptability_label(scheme, *r)
            )
        })
        .collect();
    let bad: Vec<&str> = hazards
        .iter()
        .filter(|(_, h)| unacceptable(scheme, h.residual.rating))
        .map(|(id, _)| id.as_str())
        .collect();
    let open_planned: Vec<&str> = hazards
        .iter()
        .filter(|(_, h)| h.status == HazardStatus::Open && h.controls.iter().any(|c| !c.in_place()))
        .map(|(id, _)| id.as_str())
        .collect();
    out.push(para(format!(
        "{} recorded ({}). Residual risk: {}. {} unacceptable residual risk.",
        plural(hazards.len(), "hazard is", "hazards are"),
        by_status.join(", "),
        by_rating.join("; "),
        plural(bad.len(), "hazard has", "hazards have")
    )));
    let verb = if deployer {
        "should not go live"
    } else {
        "should not be deployed"
    };
    let mut until = Vec::new();
    if hazards.is_empty() {
        until.push("hazard identification has been carried out and recorded (DCB0129 §4.3)".to_string());
    }
    if !bad.is_empty() {
        until.push(format!(
            "the hazards with unacceptable residual risk ({}) are controlled to an acceptable level",
            bad.join(", ")
        ));
    }
    let unjustified: Vec<&str> = hazards
        .iter()
        .filter(|(_, h)| needs_alarp(scheme, h.residual.rating) && h.alarp_justification.trim().is_empty())
        .map(|(id, _)| id.as_str())
        .collect();
    if !unjustified.is_empty() {
        until.push(format!(
            "the residual risk of the hazards acceptable only once as low as reasonably practicable ({}) is \
             reduced further or that justification is recorded",
            unjustified.join(", ")
        ));
    }
    if !open_planned.is_empty() {
        until.push(format!(
            "the planned controls on open hazards ({}) are implemented and verified, and their residual risk \
             re-assessed",
            open_planned.join(", ")
        ));
    }
    if until.is_empty() {
        out.push(para(format!(
            "On the evidence recorded, the residual risk of every identified hazard is acceptable, or \
             acceptable once as low as reasonably practicable, and no control on an open hazard is still \
             planned. {} approval of this report records the acceptance of that residual risk for the intended \
             use (DCB0129 §6.4.1).",
            if deployer {
                "The deploying organisation's CSO's"
            } else {
                "The CSO's"
            }
        )));
    } else {
        out.push(para(format!("The system {verb} until {}.", until.join("; and "))));
    }
    out
}

fn compliance_blocks(input: &CaseInput) -> Vec<Block> {
    let rows = input.compliance;
    let counts: Vec<String> = Answer::ALL
        .iter()
        .map(|a| format!("{} {}", rows.iter().filter(|r| r.answer == Some(*a)).count(), a.label()))
        .chain(std::iter::once(format!(
            "{} not answered",
            rows.iter().filter(|r| r.answer.is_none()).count()
        )))
        .collect();
    vec![
        para(format!(
            "Compliance with {}, requirement by requirement: {}.",
            input.project.standard.as_str(),
            counts.join(", ")
        )),
        table(
            &["Clause", "Requirement", "Answer", "Evidence", "Note"],
            rows.iter()
                .map(|r| {
                    vec![
                        r.clause.clone(),
                        r.text.clone(),
                        r.answer
                            .map(|a| a.label().to_string())
                            .unwrap_or_else(|| "Not answered".to_string()),
                        r.evidence.join("\n"),
                        r.note.clone(),
                    ]
                })
                .collect(),
        ),
    ]
}

// ----- the Clinical Risk Management Plan -----------------------------------------------------------------

fn phase_text(phase: &str, deployer: bool) -> &'static str {
    match (phase, deployer) {
        ("development", false) => "Before the first release to any health organisation",
        ("development", true) => "When the local configuration and workflows are designed",
        ("pre-deployment", false) => "Before delivery, after the formal pre-delivery review (§7.1)",
        ("pre-deployment", true) => "Before go-live, after the pre-deployment review; the CSO approves it",
        ("live", false) => "At each release; after incidents that undermine the safety case (§7.2.3)",
        ("live", true) => "After incidents that undermine the safety case, and at each supplier release taken",
        ("modification", false) => "For any modification that changes clinical risk (§7.3.3)",
        ("modification", true) => {
            "For any change to the system, its configuration or its use that changes clinical risk"
        }
        ("decommissioning", false) => "Before the system is withdrawn from the market",
        ("decommissioning", true) => "Before the system is retired and its data migrated or archived",
        _ => "As the plan defines",
    }
}

/// The Clinical Risk Management Plan for `input.version`, as a draft for the CSO to approve. Worded for the
/// manufacturer under DCB0129, or for the deploying organisation under DCB0160.
pub fn crmp(input: &CaseInput) -> Document {
    let p = input.project;
    let scheme = input.scheme;
    let deployer = dcb0160(input);
    let cso = cso_name(input);
    let standard = p.standard.as_str();

    let scope = vec![
        para(if deployer {
            format!(
                "This plan sets out how the health organisation {} manages the clinical risk of deploying and \
                 using {} under DCB0160: reviewing the manufacturer's DCB0129 safety case, configuring and \
                 integrating the system locally, go-live, live use, change, and decommissioning.",
                p.ods_code, p.system
            )
        } else {
            format!(
                "This plan sets out how {}, as manufacturer of {}, manages clinical risk throughout the \
                 system's life under DCB0129: design, build, release, live use, modification and withdrawal.",
                p.ods_code, p.system
            )
        }),
        fields(&[
            ("System", p.system.clone()),
            ("Intended use", p.intended_use.clone()),
            ("Scope", or_not_recorded(&p.scope)),
            ("Standard", standard.to_string()),
            ("Organisation (ODS)", p.ods_code.clone()),
            ("Current lifecycle phase", p.lifecycle_phase.clone()),
        ]),
    ];

    let mut roles = vec![people_table(input)];
    roles.extend(cso_blocks(input));
    roles.push(Block::Bullets(if deployer {
        vec![
            "Top management (executive sponsor): provides resources and competent staff, nominates the CSO, \
             and defines authorisation levels."
                .to_string(),
            format!(
                "Clinical Safety Officer, {cso}: approves this plan, every version of the hazard log and every \
                 safety case report; reviews the manufacturer's safety case report and hazard log."
            ),
            "Clinical and implementation leads: map workflows, configuration and interfaces; implement local \
             and transferred controls."
                .to_string(),
            "Senior Information Risk Owner and information governance: the DPIA, linked to but kept separate \
             from the clinical risk assessment."
                .to_string(),
            "The manufacturer's CSO: receives incidents and changes fed back by this organisation.".to_string(),
        ]
    } else {
        vec![
            "Top management: provides resources and competent staff, nominates the CSO, and defines \
             authorisation levels (§2.2)."
                .to_string(),
            format!(
                "Clinical Safety Officer, {cso}: approves this plan, every version of the hazard log and every \
                 safety case report (§3.2.2, §3.3.2, §3.5.2)."
            ),
            "Development lead: builds and verifies design and test controls, and records their evidence.".to_string(),
            "Clinical lead: brings clinical knowledge to hazard identification and evaluation.".to_string(),
        ]
    }));

    let authorisation = vec![table(
        &["Document or decision", "Approved by", "When"],
        vec![
            vec![
                "Clinical Risk Management Plan".to_string(),
                "CSO; top management defines the authorisation levels".to_string(),
                "At the start; when the scope or key people change".to_string(),
            ],
            vec![
                "Hazard log".to_string(),
                "CSO, every version".to_string(),
                "Whenever a hazard is added, re-scored or closed; issued with each safety case report".to_string(),
            ],
            vec![
                "Clinical Safety Case Report".to_string(),
                "CSO".to_string(),
                "At each lifecycle phase below; on any change to clinical risk".to_string(),
            ],
            if deployer {
                vec![
                    "Go-live".to_string(),
                    "CSO's safety case report, with the executive sponsor".to_string(),
                    "Before go-live; on change; at decommissioning".to_string(),
                ]
            } else {
                vec![
                    "Release".to_string(),
                    "Pre-delivery formal review, recorded in the safety case report".to_string(),
                    "Before each release".to_string(),
                ]
            },
            vec![
                "Risk acceptance".to_string(),
                "CSO, against the criteria in section 7".to_string(),
                "For each hazard and overall".to_string(),
            ],
        ],
    )];

    let mut related = vec![
        format!("Hazard log of {} (issued with each safety case report)", p.system),
        "Clinical Safety Case Report".to_string(),
        "Safety Incident Management Log".to_string(),
        format!("{standard} compliance assessment"),
        format!("Risk scheme {} v{}", scheme.id, scheme.version),
    ];
    if deployer {
        related.push("The manufacturer's DCB0129 Clinical Safety Case Report and Hazard Log".to_string());
        related
            .push("Data Protection Impact Assessment (linked; its risk matrix is a separate instrument)".to_string());
        related.push("Business continuity and downtime plans".to_string());
    }
    let related = vec![Block::Bullets(related)];

    let phases = vec![
        table(
            &["Lifecycle phase", "Safety case report issued", "Current"],
            PHASES
                .iter()
                .map(|ph| {
                    vec![
                        (*ph).to_string(),
                        phase_text(ph, deployer).to_string(),
                        if *ph == p.lifecycle_phase { "Yes" } else { "" }.to_string(),
                    ]
                })
                .collect(),
        ),
        para(
            "A new version is also issued for any change that alters clinical risk, and after any incident \
             that undermines the safety case.",
        ),
    ];

    let identification = vec![
        para(
            "Hazards are identified with the Structured What-If Technique (SWIFT), run as a multidisciplinary \
             workshop with the CSO, engineers, clinicians, implementation staff and patient representatives, \
             under normal and fault conditions. Each hazard records cause, effect, hazard and potential harm.",
        ),
        para(if deployer {
            "The manufacturer's hazard log is imported first, keeping its provenance. Local hazards are then \
             sought in workflow, configuration, interfaces and local integration, training, downtime and \
             business continuity."
        } else {
            "Hazards are also raised from safety incidents, from changes, and from the code (each control names \
             the mechanism that enforces it). A language model may draft a hazard for triage; it never scores \
             or approves one."
        }),
    ];

    let mut declaration = vec![para(
        "Risk acceptability criteria: the acceptability table below. A hazard whose residual risk is not \
         acceptable, even once as low as reasonably practicable, is not accepted.",
    )];
    declaration.extend(scheme_declaration(scheme));

    let approach = vec![
        para("Controls are chosen in this order of preference:"),
        Block::Bullets(vec![
            "1. Eliminate the hazard by design.".to_string(),
            "2. Protective measures in the system.".to_string(),
            "3. Information for safety.".to_string(),
            "4. Training.".to_string(),
            "5. Business process change.".to_string(),
        ]),
        para(
            "Each control is checked for new hazards it introduces or changes to other hazards' risks (§6.1.2). \
             Where no control is possible, a benefit–risk analysis is recorded (§6.2).",
        ),
    ];

    let verification = vec![
        para(
            "Each control records who implements it (manufacturer, health organisation or third party), its \
             state (planned, implemented, verified) and the evidence of its verification: test names, \
             documents or commits. A control is marked verified only with evidence, and its effectiveness is \
             verified separately. Only controls that are implemented or verified lower residual risk.",
        ),
        para(if deployer {
            "Local controls are verified by local acceptance testing and sign-off before go-live; transferred \
             controls are verified as local actions."
        } else {
            "Tests cited as evidence run in continuous integration, so a control whose test fails fails the \
             build."
        }),
    ];

    let residual = vec![para(
        "Each hazard's residual risk is evaluated against the acceptability criteria. A residual risk \
         acceptable only once as low as reasonably practicable needs a recorded justification before the \
         hazard is closed. The CSO evaluates the overall residual risk and states it in the summary safety \
         statement of each safety case report (§6.4.1).",
    )];

    let mut deployment = vec![
        para(
            "Safety incidents are logged in the Safety Incident Management Log, assessed with the same scheme, \
             and triaged with three questions:",
        ),
        Block::Bullets(vec![
            "Is it a new hazard? Then it is added to the hazard log.".to_string(),
            "Is it the realisation of a recorded hazard? Then it is linked, and the hazard may be re-scored."
                .to_string(),
            "Did a control fail? Then its effectiveness is no longer taken as verified and the residual risk is \
             re-examined."
                .to_string(),
        ]),
        para("The hazard log is updated, and a new safety case report is issued when the clinical risk changes."),
    ];
    deployment.push(para(if deployer {
        "Controls transferred by the manufacturer become local actions, owned and tracked in this organisation's \
         hazard log. Incidents and changes are fed back to the manufacturer. At decommissioning, the hazards of \
         retiring the system (access to records, data migration and archiving, replacement workflows) are \
         assessed and a safety case report is issued before the system is switched off."
    } else {
        "Controls for a deploying organisation to implement are marked transferred and listed in the safety case \
         report, so each deploying organisation's CSO can take them into its own hazard log."
    }));

    let cadence = vec![
        fields(&[
            ("Hazard log", format!("Every {} days", p.review_every_days)),
            (
                "Controls and their evidence",
                format!("Every {} days", p.controls_review_every_days),
            ),
            ("This plan", format!("Every {} days", p.crmp_review_every_days)),
        ]),
        para(
            "This plan is also reviewed when the nature of the project or key people change (§3.2.3), and the \
             process itself is reviewed formally at these intervals (§2.6.1).",
        ),
    ];

    let mut stakeholders = if deployer {
        vec![
            "The manufacturer and its CSO".to_string(),
            "Clinical users and their leads".to_string(),
            "The teams who configure, integrate and support the system".to_string(),
            "Information governance and the Senior Information Risk Owner".to_string(),
            "The executive sponsor".to_string(),
            "Patient representatives".to_string(),
        ]
    } else {
        vec![
            "Clinical Safety Officer and clinical leads".to_string(),
            "Development and operations teams".to_string(),
            "Deploying health organisations and their CSOs".to_string(),
            "Users who report through the system".to_string(),
            "Patient representatives".to_string(),
        ]
    };
    stakeholders.extend(p.people.iter().map(|x| format!("{} ({})", x.name, x.role)));
    let stakeholders = vec![
        para("Consulted in preparing and reviewing this plan:"),
        Block::Bullets(stakeholders),
    ];

    let list = vec![
        (CRMP_SECTIONS[0], scope),
        (CRMP_SECTIONS[1], roles),
        (CRMP_SECTIONS[2], authorisation),
        (CRMP_SECTIONS[3], related),
        (CRMP_SECTIONS[4], phases),
        (CRMP_SECTIONS[5], identification),
        (CRMP_SECTIONS[6], declaration),
        (CRMP_SECTIONS[7], approach),
        (CRMP_SECTIONS[8], verification),
        (CRMP_SECTIONS[9], residual),
        (CRMP_SECTIONS[10], deployment),
        (CRMP_SECTIONS[11], cadence),
        (CRMP_SECTIONS[12], stakeholders),
    ];
    Document {
        kind: DocumentKind::Crmp,
        title: title(DocumentKind::Crmp, input),
        meta: meta(input),
        sections: sections(list),
    }
}

// ----- the Hazard Log ------------------------------------------------------------------------------------

/// The hazard log's columns, in the NHS template's order.
pub const HAZARD_LOG_COLUMNS: [&str; 15] = [
    "Hazard number",
    "Hazard name",
    "Hazard description",
    "Potential clinical impact",
    "Possible causes",
    "Existing controls",
    "Initial severity",
    "Initial likelihood",
    "Initial risk rating",
    "Additional controls",
    "Residual severity",
    "Residual likelihood",
    "Residual risk rating",
    "Hazard status",
    "Owner",
];

/// An issued version of the hazard log: one table in the NHS template's column order, with scheme labels,
/// and the count of hazards in each status.
pub fn hazard_log(input: &CaseInput) -> Document {
    let scheme = input.scheme;
    let hazards = sorted_hazards(input);
    let cso = cso_name(input);
    let lines = |v: &[String]| {
        v.iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rows = hazards
        .iter()
        .map(|(id, h)| {
            let (il, is) = labelled(scheme, &h.initial);
            let (rl, rs) = labelled(scheme, &h.residual);
            let description = if h.effects.trim().is_empty() {
                h.description.clone()
            } else {
                format!("{}\nEffect: {}", h.description, h.effects.trim())
            };
            let controls: Vec<String> = h.controls.iter().map(control_summary).collect();
            vec![
                id.clone(),
                h.name.clone(),
                description,
                h.clinical_impact.trim().to_string(),
                lines(&h.causes),
                lines(&h.existing_controls),
                is,
                il,
                h.initial.rating.to_string(),
                controls.join("\n"),
                rs,
                rl,
                h.residual.rating.to_string(),
                status_label(h.status).to_string(),
                if h.owner.trim().is_empty() {
                    cso.clone()
                } else {
                    h.owner.trim().to_string()
                },
            ]
        })
        .collect();
    let counts: Vec<String> = STATUSES
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                hazards.iter().filter(|(_, h)| h.status == *s).count(),
                status_label(*s)
            )
        })
        .collect();
    let body = vec![
        para(format!(
            "{} in this version: {}. Ratings are looked up in the risk scheme {} v{}; additional controls show \
             kind, implementer and state, and only those implemented or verified lower the residual risk.",
            plural(hazards.len(), "hazard", "hazards"),
            counts.join(", "),
            scheme.id,
            scheme.version
        )),
        Block::Table {
            header: HAZARD_LOG_COLUMNS.iter().map(|c| (*c).to_string()).collect(),
            rows,
        },
    ];
    Document {
        kind: DocumentKind::HazardLog,
        title: title(DocumentKind::HazardLog, input),
        meta: meta(input),
        sections: sections(vec![("Hazards", body)]),
    }
}

/// A safety case kept as data in a repository (Candour's own is `docs/safety/candour.toml`): the project,
/// the version and date of the documents generated from it, the scheme, the CSO record and the hazards,
/// numbered H-001… in order.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub project: SafetyProject,
    pub issue: CaseIssue,
    pub scheme: CaseScheme,
    pub cso: CsoRecord,
    pub hazard: Vec<crate::clinical::HazardInput>,
}

/// The version and date the generated documents carry.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseIssue {
    pub version: u32,
    pub date: chrono::NaiveDate,
}

/// Which scheme the hazards are assessed with.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseScheme {
    pub id: String,
}

#[cfg(test)]
#[path = "docs_tests.rs"]
mod tests;
