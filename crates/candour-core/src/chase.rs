//! Chasing: "don't assume your report has been received or actioned until you have a reply from a human".
//! A destination that was sent a report and has not acknowledged it gets a reminder when its clock is
//! overdue, then, if still nobody answers, an escalation to whoever the directory names. Pure: when each
//! step is due and what it sends; the delivery worker asks, the store records each step once.

use crate::outbox::{Channel, Planned, Purpose};
use crate::record::ReportRecord;
use crate::routing::{Chasing, Destination, Directory, Method};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// A chasing step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The same report again, to the same destination.
    Reminder,
    /// To the destination's `escalate_to`.
    Escalation,
    /// Uncontrolled risk to patients from a vulnerability (issue 7): told at once, not after a clock.
    PatientRisk,
    /// A clinical impact assessment of a cyber incident or vulnerability awaits the CSO's review (issue 7).
    ImpactReview,
}

impl Step {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Reminder => "reminder",
            Step::Escalation => "escalation",
            Step::PatientRisk => "patient_risk",
            Step::ImpactReview => "impact_review",
        }
    }

    /// The outbox purpose of its messages.
    pub fn purpose(self) -> Purpose {
        match self {
            Step::Reminder => Purpose::Reminder,
            Step::Escalation => Purpose::Escalation,
            Step::PatientRisk => Purpose::PatientRisk,
            Step::ImpactReview => Purpose::ImpactReview,
        }
    }
}

/// Where one destination stands: first sent, its clock, and the steps taken so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// When the first message to it was sent (when nothing was delivered: when delivery was given up).
    pub sent_at: DateTime<Utc>,
    /// False when every message to it failed (dead letters): nobody there can have seen it.
    pub delivered: bool,
    /// Its earliest clock, if routing started one.
    pub due_at: Option<DateTime<Utc>>,
    /// Patients are harmed now (the urgent path).
    pub urgent: bool,
    /// When it was reminded.
    pub reminded_at: Option<DateTime<Utc>>,
    /// When it was escalated.
    pub escalated_at: Option<DateTime<Utc>>,
}

fn minutes(m: u32) -> Duration {
    Duration::minutes(i64::from(m))
}

fn hours(h: u32) -> Duration {
    Duration::hours(i64::from(h))
}

impl Standing {
    /// When the reminder is due: on the urgent path `urgent_minutes` after sending; otherwise when the
    /// destination's clock is overdue (or `remind_after_hours` after sending without one), but never
    /// sooner than `urgent_minutes` after sending (a "phone now" clock is already due when the email goes).
    pub fn remind_at(&self, c: &Chasing) -> DateTime<Utc> {
        let soonest = self.sent_at + minutes(c.urgent_minutes);
        if self.urgent {
            return soonest;
        }
        self.due_at
            .unwrap_or(self.sent_at + hours(c.remind_after_hours))
            .max(soonest)
    }

    /// When the escalation is due, once reminded.
    pub fn escalate_at(&self, c: &Chasing) -> Option<DateTime<Utc>> {
        let gap = if self.urgent {
            minutes(c.urgent_minutes)
        } else {
            hours(c.escalate_after_hours)
        };
        self.reminded_at.map(|r| r + gap)
    }

    /// The step due at `now`, if any (none once escalated: people take it from there). A destination
    /// nothing reached is escalated at once: a reminder would fail the same way.
    pub fn next(&self, c: &Chasing, now: DateTime<Utc>) -> Option<Step> {
        match (self.reminded_at, self.escalated_at) {
            (_, Some(_)) => None,
            _ if !self.delivered => Some(Step::Escalation),
            (None, None) => (now >= self.remind_at(c)).then_some(Step::Reminder),
            (Some(_), None) => self.escalate_at(c).filter(|at| now >= *at).map(|_| Step::Escalation),
        }
    }
}

/// What a step sends, and what it asks of people when it cannot send (a phone-only escalation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The step.
    pub step: Step,
    /// The destination being chased.
    pub destination: String,
    /// Who is told: the destination itself (reminder) or its `escalate_to`.
    pub to: String,
    /// Messages (possibly none).
    pub messages: Vec<Planned>,
    /// Opening lines every message carries before the report, and the record of the step.
    pub preamble: String,
}

fn electronic(d: &Destination) -> Vec<(Channel, String)> {
    let mut out: Vec<(Channel, String)> = Vec::new();
    for c in &d.contacts {
        let ch = match c.method {
            Method::Email => Channel::Email,
            Method::Webhook => Channel::Webhook,
            Method::Phone | Method::Web => continue,
        };
        if !out.iter().any(|(x, _)| *x == ch) {
            out.push((ch, c.value.clone()));
        }
    }
    out
}

fn contacts(d: &Destination) -> String {
    let mut s = String::new();
    for c in &d.contacts {
        let how = match c.method {
            Method::Phone => "phone",
            Method::Email => "email",
            Method::Web => "web",
            Method::Webhook => "webhook",
        };
        let _ = writeln!(s, "- {how}: {} ({})", c.value, c.hours);
    }
    s
}

/// The destinations told at once when a vulnerability puts patients at uncontrolled risk: the organisation's
/// Clinical Safety Officer and its urgent route (the same local escalation the urgent path uses).
pub const PATIENT_RISK_DESTINATIONS: [&str; 2] = ["org_cso", "org_escalation"];

/// The messages that tell [`PATIENT_RISK_DESTINATIONS`] at once about report `r`.
pub fn patient_risk_plans(r: &ReportRecord, directory: &Directory, now: DateTime<Utc>) -> Vec<Plan> {
    PATIENT_RISK_DESTINATIONS
        .iter()
        .map(|d| plan(Step::PatientRisk, r, d, &at_once(now), directory))
        .collect()
}

/// The message asking the organisation's Clinical Safety Officer to review report `r`'s clinical impact.
pub fn impact_review_plan(r: &ReportRecord, directory: &Directory, now: DateTime<Utc>) -> Plan {
    plan(Step::ImpactReview, r, "org_cso", &at_once(now), directory)
}

/// A standing for a step taken at once rather than after a clock.
fn at_once(now: DateTime<Utc>) -> Standing {
    Standing {
        sent_at: now,
        delivered: true,
        due_at: None,
        urgent: true,
        reminded_at: None,
        escalated_at: None,
    }
}

/// Plan `step` for `destination` on report `r`. A step is always planned, so it is recorded and the
/// destination is not chased again; when nobody can be sent anything (no escalation contact in the
/// directory, or a phone-only one), the opening lines say whom staff must call.
pub fn plan(step: Step, r: &ReportRecord, destination: &str, s: &Standing, directory: &Directory) -> Plan {
    let when = |t: DateTime<Utc>| crate::time::london(t);
    let dest = directory.get(destination);
    let name = dest.map_or(destination, |d| d.name.as_str());
    let their = dest.map_or_else(
        || "(no longer in the routing directory)".to_string(),
        |d| contacts(d).trim_end().to_string(),
    );
    let (to, preamble) = match step {
        Step::PatientRisk => (
            dest,
            format!(
                "PATIENT RISK: report {} describes a vulnerability that puts patients at uncontrolled risk.\n\
                 A person must act on it now; the disclosure timeline has been shortened. Their contacts:\n{their}",
                r.reference
            ),
        ),
        Step::ImpactReview => (
            dest,
            format!(
                "CSO REVIEW NEEDED: the clinical impact of report {} has been assessed as affecting patient care.\n\
                 The report cannot be closed until a Clinical Safety Officer reviews the assessment in the workspace.",
                r.reference
            ),
        ),
        Step::Reminder => (
            dest,
            format!(
                "REMINDER: this report was sent to {name} on {} and nobody there has acknowledged it yet.\n\
                 Please acknowledge it now: a named person must confirm it has been seen.",
                when(s.sent_at)
            ),
        ),
        Step::Escalation => {
            let to = dest
                .and_then(|d| d.escalate_to.as_ref())
                .and_then(|e| directory.get(e.get_ref()));
            let reminded = s
                .reminded_at
                .map(|t| format!(", reminded on {}", when(t)))
                .unwrap_or_default();
            let ask = match to {
                Some(_) => "Please make sure a person there sees it.",
                None => "The routing directory names nobody to escalate to: staff must chase them.",
            };
            let what = if s.delivered {
                format!(
                    "was sent to {name} on {}{reminded}, and nobody there has acknowledged it",
                    when(s.sent_at)
                )
            } else {
                format!(
                    "could not be delivered to {name}: every attempt failed (last on {})",
                    when(s.sent_at)
                )
            };
            (
                to,
                format!(
                    "ESCALATION: report {} {what}.\n{ask} Their contacts:\n{their}",
                    r.reference
                ),
            )
        }
    };
    let messages = to
        .map(electronic)
        .unwrap_or_default()
        .into_iter()
        .map(|(channel, address)| Planned {
            destination: destination.to_string(),
            name: to.map_or_else(String::new, |d| d.name.clone()),
            channel,
            address,
            purpose: step.purpose(),
        })
        .collect();
    Plan {
        step,
        destination: destination.to_string(),
        to: to.map_or_else(String::new, |d| d.id.get_ref().clone()),
        messages,
        preamble,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Tables;
    use crate::Taxonomy;
    use chrono::TimeZone;

    fn chasing() -> Chasing {
        Chasing {
            remind_after_hours: 24,
            escalate_after_hours: 24,
            urgent_minutes: 30,
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 16, h, m, 0).unwrap()
    }

    fn standing() -> Standing {
        Standing {
            sent_at: at(10, 0),
            delivered: true,
            due_at: None,
            urgent: false,
            reminded_at: None,
            escalated_at: None,
        }
    }

    #[test]
    fn a_destination_without_a_clock_is_reminded_a_day_later_then_escalated_a_day_after_that() {
        let c = chasing();
        let s = standing();
        assert_eq!(s.next(&c, at(10, 0) + Duration::hours(23)), None);
        assert_eq!(s.next(&c, at(10, 0) + Duration::hours(24)), Some(Step::Reminder));
        let reminded = Standing {
            reminded_at: Some(at(10, 0) + Duration::hours(25)),
            ..s
        };
        assert_eq!(reminded.next(&c, at(10, 0) + Duration::hours(48)), None);
        assert_eq!(
            reminded.next(&c, at(10, 0) + Duration::hours(49)),
            Some(Step::Escalation)
        );
        let escalated = Standing {
            escalated_at: Some(at(10, 0) + Duration::hours(49)),
            ..reminded
        };
        assert_eq!(
            escalated.next(&c, at(10, 0) + Duration::days(30)),
            None,
            "chased twice, then people"
        );
    }

    #[test]
    fn the_reminder_goes_when_the_service_level_is_missed_but_never_straight_away() {
        let c = chasing();
        let s = Standing {
            due_at: Some(at(14, 0)),
            ..standing()
        };
        assert_eq!(s.remind_at(&c), at(14, 0));
        // A "phone now" clock was due before the email even went: wait the shortest gap.
        let now_clock = Standing {
            due_at: Some(at(9, 59)),
            ..standing()
        };
        assert_eq!(now_clock.remind_at(&c), at(10, 30));
    }

    #[test]
    fn a_destination_nothing_reached_is_escalated_at_once_and_the_message_says_so() {
        let c = chasing();
        let s = Standing {
            delivered: false,
            ..standing()
        };
        assert_eq!(s.next(&c, at(10, 0)), Some(Step::Escalation));
        let t = Taxonomy::embedded().unwrap();
        let tables = Tables::embedded(&t).unwrap();
        let esc = plan(Step::Escalation, &record(), "supplier_safety", &s, &tables.directory);
        assert!(esc.preamble.contains("could not be delivered"), "{}", esc.preamble);
        assert_eq!(esc.messages[0].address, "clinical.safety@example.nhs.uk");
    }

    #[test]
    fn patients_harmed_now_are_chased_every_half_hour_whatever_the_clock() {
        let c = chasing();
        let s = Standing {
            due_at: Some(at(18, 0)),
            urgent: true,
            ..standing()
        };
        assert_eq!(s.next(&c, at(10, 29)), None);
        assert_eq!(s.next(&c, at(10, 30)), Some(Step::Reminder));
        let r = Standing {
            reminded_at: Some(at(10, 31)),
            ..s
        };
        assert_eq!(r.escalate_at(&c), Some(at(11, 1)));
        assert_eq!(r.next(&c, at(11, 1)), Some(Step::Escalation));
    }

    fn record() -> ReportRecord {
        let t = Taxonomy::embedded().unwrap();
        let path = format!(
            "{}/../../docs/examples/clinical_safety.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let body: crate::report::ReportBody = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let v = body.validate(&t, Utc::now()).unwrap();
        ReportRecord::new_received(
            uuid::Uuid::now_v7(),
            crate::Reference::new(crate::ReportKind::ClinicalSafety, 2026, 9),
            t.version.clone(),
            v,
            None,
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn a_supplier_is_reminded_itself_and_escalated_to_the_cso_with_its_other_contacts() {
        let t = Taxonomy::embedded().unwrap();
        let tables = Tables::embedded(&t).unwrap();
        let r = record();
        let s = Standing {
            reminded_at: Some(at(11, 0)),
            ..standing()
        };
        let rem = plan(Step::Reminder, &r, "supplier_safety", &s, &tables.directory);
        assert_eq!(rem.to, "supplier_safety");
        assert_eq!(rem.messages.len(), 1);
        assert_eq!(rem.messages[0].purpose, Purpose::Reminder);
        assert_eq!(rem.messages[0].address, "clinical.safety@supplier.example");
        assert!(rem.preamble.starts_with("REMINDER"));
        let esc = plan(Step::Escalation, &r, "supplier_safety", &s, &tables.directory);
        assert_eq!(esc.to, "org_cso");
        assert_eq!(esc.messages[0].destination, "supplier_safety", "about the supplier");
        assert_eq!(esc.messages[0].address, "clinical.safety@example.nhs.uk", "to the CSO");
        assert!(
            esc.preamble.contains("clinical.safety@supplier.example"),
            "{}",
            esc.preamble
        );
        assert!(esc.preamble.contains(&r.reference.to_string()));
        let ids: std::collections::BTreeSet<_> = [&rem.messages[0], &esc.messages[0]]
            .iter()
            .map(|p| p.id(r.id))
            .chain([crate::outbox::message_id(r.id, "supplier_safety", Channel::Email)])
            .collect();
        assert_eq!(ids.len(), 3, "each step has its own message id");
    }

    #[test]
    fn a_phone_only_escalation_sends_nothing_and_says_whom_to_call() {
        let t = Taxonomy::embedded().unwrap();
        let tables = Tables::embedded(&t).unwrap();
        let esc = plan(Step::Escalation, &record(), "org_cso", &standing(), &tables.directory);
        assert_eq!(esc.to, "org_escalation");
        assert!(esc.messages.is_empty());
        assert!(esc.preamble.contains("clinical.safety@example.nhs.uk"));
        let nobody = plan(Step::Escalation, &record(), "nhs_csoc", &standing(), &tables.directory);
        assert_eq!(nobody.to, "");
        assert!(nobody.messages.is_empty());
        assert!(nobody.preamble.contains("0300 303 5222"), "{}", nobody.preamble);
        assert!(nobody.preamble.contains("staff must chase them"));
    }
}
