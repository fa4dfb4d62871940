//! Scheduled reviews (issue 6, item 5): the hazard log, the controls and the CRMP each on the project's
//! cadence, and each open hazard on its own review date (or the hazard log's cadence). A review is due a
//! cadence after the last one (or after the project began); overdue once that day has passed.

use super::hazard::{Hazard, HazardStatus};
use super::project::SafetyProject;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// What is reviewed. As text: `hazard_log`, `controls`, `crmp`, `hazard:7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewSubject {
    HazardLog,
    Controls,
    Crmp,
    Hazard(i64),
}

impl ReviewSubject {
    pub fn key(self) -> String {
        match self {
            ReviewSubject::HazardLog => "hazard_log".into(),
            ReviewSubject::Controls => "controls".into(),
            ReviewSubject::Crmp => "crmp".into(),
            ReviewSubject::Hazard(n) => format!("hazard:{n}"),
        }
    }

    pub fn parse(s: &str) -> Option<ReviewSubject> {
        match s {
            "hazard_log" => Some(ReviewSubject::HazardLog),
            "controls" => Some(ReviewSubject::Controls),
            "crmp" => Some(ReviewSubject::Crmp),
            _ => s
                .strip_prefix("hazard:")
                .and_then(|n| n.parse().ok())
                .filter(|n: &i64| *n > 0)
                .map(ReviewSubject::Hazard),
        }
    }

    /// As a person reads it.
    pub fn label(self) -> String {
        match self {
            ReviewSubject::HazardLog => "Hazard log".into(),
            ReviewSubject::Controls => "Controls and their evidence".into(),
            ReviewSubject::Crmp => "Clinical risk management plan".into(),
            ReviewSubject::Hazard(n) => format!("Hazard {}", super::hazard_id(n)),
        }
    }
}

/// A review that is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DueReview {
    /// `hazard_log`, `controls`, `crmp` or `hazard:N`.
    pub subject: String,
    pub label: String,
    pub due_on: NaiveDate,
    pub last_done: Option<NaiveDate>,
    pub overdue: bool,
}

/// Every scheduled review of a project, soonest first. `last` holds the date each subject was last
/// reviewed; `hazards` are (number, hazard, the day it was recorded): a hazard never reviewed is first due
/// a cadence after it was recorded, not after the project began.
pub fn schedule(
    project: &SafetyProject,
    started_on: NaiveDate,
    last: &HashMap<String, NaiveDate>,
    hazards: &[(i64, &Hazard, NaiveDate)],
    today: NaiveDate,
) -> Vec<DueReview> {
    let due = |subject: ReviewSubject, every: u32, own: Option<NaiveDate>, since: NaiveDate| {
        let last_done = last.get(&subject.key()).copied();
        let from_cadence = last_done.unwrap_or(since) + Duration::days(i64::from(every));
        // A hazard's own review date counts until a review after it has been done.
        let due_on = match own {
            Some(d) if last_done.is_none_or(|l| l < d) => d.min(from_cadence),
            _ => from_cadence,
        };
        DueReview {
            subject: subject.key(),
            label: subject.label(),
            due_on,
            last_done,
            overdue: due_on < today,
        }
    };
    let mut out = vec![
        due(ReviewSubject::HazardLog, project.review_every_days, None, started_on),
        due(
            ReviewSubject::Controls,
            project.controls_review_every_days,
            None,
            started_on,
        ),
        due(ReviewSubject::Crmp, project.crmp_review_every_days, None, started_on),
    ];
    for (n, h, recorded) in hazards {
        if h.status != HazardStatus::Closed {
            out.push(due(
                ReviewSubject::Hazard(*n),
                project.review_every_days,
                h.review_due,
                (*recorded).max(started_on),
            ));
        }
    }
    out.sort_by(|a, b| a.due_on.cmp(&b.due_on).then_with(|| a.subject.cmp(&b.subject)));
    out
}
