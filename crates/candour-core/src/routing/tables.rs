//! The routing tables as data: parsing, cross-checking, and the clock an obligation starts.

use super::clock::{deadline, WorkingCalendar};
use super::Due;
use crate::report::ValidReport;
use crate::taxonomy::Taxonomy;
use crate::ReportKind;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use toml::Spanned;

/// A problem in a routing table file: the file, the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct TableError {
    /// File name as given.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// How a destination is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Telephone.
    Phone,
    /// Email.
    Email,
    /// A web form or service.
    Web,
    /// A signed webhook.
    Webhook,
}

/// One way to reach a destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactMethod {
    /// How.
    pub method: Method,
    /// The number, address or link.
    pub value: String,
    /// When it is answered, e.g. `24/7` or `Mon-Fri 09:00-17:00`.
    pub hours: String,
    /// False for a placeholder an organisation must replace.
    #[serde(default = "yes")]
    pub verified: bool,
}

fn yes() -> bool {
    true
}

/// Who a destination serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationScope {
    /// One for everyone.
    National,
    /// One per organisation.
    Organisation,
    /// One per product (a supplier's safety contact).
    Product,
}

/// A body that may need to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    /// Stable id, referenced by rules.
    pub id: Spanned<String>,
    /// Name for people.
    pub name: String,
    /// Role, e.g. `csoc`, `clinical_safety_officer`.
    pub role: String,
    /// Who it serves.
    pub scope: DestinationScope,
    /// For an organisation-scoped destination configured for one organisation.
    #[serde(default)]
    pub org: Option<String>,
    /// For a product-scoped destination: the products it covers (empty: any product).
    #[serde(default)]
    pub products: Vec<String>,
    /// How to reach it.
    pub contacts: Vec<ContactMethod>,
    /// Who is told when nobody here acknowledges a report after a reminder (a destination id); their
    /// email and webhook contacts receive the escalation, which lists this destination's other contacts.
    #[serde(default)]
    pub escalate_to: Option<Spanned<String>>,
}

/// The directory file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Version string, stored with every decision.
    pub version: String,
    /// Destinations.
    #[serde(rename = "destination")]
    pub destinations: Vec<Destination>,
}

impl Directory {
    /// A destination by id.
    pub fn get(&self, id: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.id.get_ref() == id)
    }

    /// Is `id` one of the reporting organisation's own destinations? A named acknowledgement of the report
    /// by the organisation answers for these.
    pub fn organisation_scoped(&self, id: &str) -> bool {
        self.get(id).is_some_and(|d| d.scope == DestinationScope::Organisation)
    }
}

/// One destination a rule sends to, and the clock it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Destination id.
    pub destination: Spanned<String>,
    /// Obligation id, if sending starts a clock.
    #[serde(default)]
    pub obligation: Option<Spanned<String>>,
}

/// A routing rule: conditions (all must hold; unstated ones match anything) and targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id.
    pub id: Spanned<String>,
    /// Shown as the reason on every report it routes.
    pub description: String,
    /// Applies to every report where patients are harmed now, whatever else it says.
    #[serde(default)]
    pub urgent_path: bool,
    /// Report kinds.
    #[serde(default)]
    pub kinds: Vec<ReportKind>,
    /// Urgency codes.
    #[serde(default)]
    pub urgency: Vec<String>,
    /// patients_harmed_now codes.
    #[serde(default)]
    pub patients_harmed_now: Vec<String>,
    /// Worst physical harm at least this.
    #[serde(default)]
    pub min_harm: Option<String>,
    /// Safeguarding concern raised (or not).
    #[serde(default)]
    pub safeguarding: Option<bool>,
    /// Organisation is an operator of essential services (or not).
    #[serde(default)]
    pub org_oes: Option<bool>,
    /// Organisation is subject to the DSPT (or not).
    #[serde(default)]
    pub org_dspt: Option<bool>,
    /// A product is named (or not).
    #[serde(default)]
    pub product_named: Option<bool>,
    /// Where to send.
    pub to: Vec<Target>,
}

/// The rules file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Version string.
    pub version: String,
    /// Rules, in order.
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

/// Where a clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStart {
    /// When the organisation became aware (legal clocks).
    Aware,
    /// When Candour received the report.
    Received,
}

/// An obligation: a named clock with an effective period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    /// Id referenced by rules (may repeat with non-overlapping effective periods).
    pub id: Spanned<String>,
    /// Name.
    pub name: String,
    /// What it is and where it comes from.
    pub description: String,
    /// Start.
    pub from: ClockStart,
    /// Elapsed hours.
    #[serde(default)]
    pub hours: Option<u32>,
    /// Working hours.
    #[serde(default)]
    pub working_hours: Option<u32>,
    /// Working days.
    #[serde(default)]
    pub working_days: Option<u32>,
    /// In force from.
    pub effective_from: NaiveDate,
    /// In force until (exclusive).
    #[serde(default)]
    pub effective_to: Option<NaiveDate>,
    /// False when not confirmed in a primary source.
    #[serde(default = "yes")]
    pub verified: bool,
}

/// Working hours, local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingDay {
    /// e.g. `09:00`.
    pub start: String,
    /// e.g. `17:00`.
    pub end: String,
}

/// The DSPT breach-grading grid (likelihood × severity), as policy data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsptGrid {
    /// False: the cells are not confirmed against the current guide.
    pub verified: bool,
    /// Reportable when likelihood is at least this…
    pub reportable_min_likelihood: u8,
    /// …and severity at least this.
    pub reportable_min_severity: u8,
    /// Cells (likelihood, severity) where 24 h notification is advised.
    pub urgent_24h_cells: Vec<[u8; 2]>,
    /// Both axes are at least this when vulnerable groups are involved.
    pub vulnerable_groups_minimum: u8,
}

/// The outcome of grading a breach on the DSPT grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DsptOutcome {
    /// Likelihood after the vulnerable-groups floor.
    pub likelihood: u8,
    /// Severity after the vulnerable-groups floor.
    pub severity: u8,
    /// Must be notified to the ICO (and DHSC) through the DSPT.
    pub reportable: bool,
    /// Notify within 24 h rather than 72 h.
    pub urgent_24h: bool,
    /// Copied from the grid: false means check the guide.
    pub verified: bool,
}

impl DsptGrid {
    /// Grade a breach. Values are clamped to 1–5.
    pub fn assess(&self, likelihood: u8, severity: u8, vulnerable_groups: bool) -> DsptOutcome {
        let floor = if vulnerable_groups {
            self.vulnerable_groups_minimum
        } else {
            1
        };
        let l = likelihood.clamp(1, 5).max(floor);
        let s = severity.clamp(1, 5).max(floor);
        let reportable = l >= self.reportable_min_likelihood && s >= self.reportable_min_severity;
        DsptOutcome {
            likelihood: l,
            severity: s,
            reportable,
            urgent_24h: reportable && self.urgent_24h_cells.contains(&[l, s]),
            verified: self.verified,
        }
    }
}

/// Chasing a destination that was sent a report and has not acknowledged it: a reminder, then an
/// escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chasing {
    /// Remind this many hours after sending when the destination has no clock of its own (with a clock,
    /// the reminder goes when it is overdue).
    pub remind_after_hours: u32,
    /// Escalate this many hours after the reminder.
    pub escalate_after_hours: u32,
    /// On the urgent path (patients harmed now): remind, then escalate, this many minutes apart. Also the
    /// shortest time after sending before any reminder.
    pub urgent_minutes: u32,
}

/// The obligations file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Version string.
    pub version: String,
    /// Working hours.
    pub working_day: WorkingDay,
    /// Bank holidays (England and Wales).
    pub bank_holidays: Vec<NaiveDate>,
    /// Obligations.
    #[serde(rename = "obligation")]
    pub obligations: Vec<Obligation>,
    /// DSPT grid.
    pub dspt_grid: DsptGrid,
    /// Reminders and escalation.
    pub chasing: Chasing,
}

/// All three tables, checked together.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Directory.
    pub directory: Directory,
    /// Rules.
    pub rules: RuleSet,
    /// Obligations.
    pub policy: Policy,
    calendar: WorkingCalendar,
    sources: [String; 3],
}

/// The tables shipped with Candour.
pub const EMBEDDED: [(&str, &str); 3] = [
    (
        "data/routing/directory.toml",
        include_str!("../../../../data/routing/directory.toml"),
    ),
    (
        "data/routing/rules.toml",
        include_str!("../../../../data/routing/rules.toml"),
    ),
    (
        "data/routing/obligations.toml",
        include_str!("../../../../data/routing/obligations.toml"),
    ),
];

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .map(|s| s.matches('\n').count() + 1)
        .unwrap_or(0)
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, src: &str) -> Result<T, TableError> {
    toml::from_str(src).map_err(|e| TableError {
        file: file.into(),
        line: e.span().map(|s| line_of(src, s.start)).unwrap_or(0),
        reason: e.message().to_string(),
    })
}

impl Tables {
    /// The tables shipped with Candour.
    pub fn embedded(t: &Taxonomy) -> Result<Self, TableError> {
        let [(df, d), (rf, r), (pf, p)] = EMBEDDED;
        Self::parse(t, (df, d), (rf, r), (pf, p))
    }

    /// Parse and cross-check the three files, each given as (file name, contents). The first problem is
    /// returned with its file and line; nothing is half-loaded.
    pub fn parse(
        t: &Taxonomy,
        dir: (&str, &str),
        rules: (&str, &str),
        policy: (&str, &str),
    ) -> Result<Self, TableError> {
        let directory: Directory = parse(dir.0, dir.1)?;
        let rule_set: RuleSet = parse(rules.0, rules.1)?;
        let pol: Policy = parse(policy.0, policy.1)?;
        let err = |(file, src): (&str, &str), at: usize, reason: String| TableError {
            file: file.into(),
            line: line_of(src, at),
            reason,
        };

        let mut ids = BTreeSet::new();
        for d in &directory.destinations {
            if !ids.insert(d.id.get_ref().as_str()) {
                return Err(err(
                    dir,
                    d.id.span().start,
                    format!("destination id '{}' is used twice", d.id.get_ref()),
                ));
            }
            if d.contacts.is_empty() {
                return Err(err(
                    dir,
                    d.id.span().start,
                    format!("destination '{}' has no contact method", d.id.get_ref()),
                ));
            }
        }
        for d in &directory.destinations {
            let Some(to) = &d.escalate_to else { continue };
            if directory.get(to.get_ref()).is_none() || to.get_ref() == d.id.get_ref() {
                return Err(err(
                    dir,
                    to.span().start,
                    format!(
                        "destination '{}' escalates to '{}', which is not another destination in the directory",
                        d.id.get_ref(),
                        to.get_ref()
                    ),
                ));
            }
        }
        let parse_time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M");
        let (start, end) = match (parse_time(&pol.working_day.start), parse_time(&pol.working_day.end)) {
            (Ok(a), Ok(b)) if a < b => (a, b),
            _ => {
                return Err(err(
                    policy,
                    0,
                    "working_day needs start and end as HH:MM with start before end".into(),
                ))
            }
        };
        let mut obligation_ids = BTreeSet::new();
        for o in &pol.obligations {
            let n = [o.hours.is_some(), o.working_hours.is_some(), o.working_days.is_some()]
                .iter()
                .filter(|x| **x)
                .count();
            if n != 1 {
                return Err(err(
                    policy,
                    o.id.span().start,
                    format!(
                        "obligation '{}' needs exactly one of hours, working_hours, working_days",
                        o.id.get_ref()
                    ),
                ));
            }
            if o.effective_to.is_some_and(|to| to <= o.effective_from) {
                return Err(err(
                    policy,
                    o.id.span().start,
                    format!("obligation '{}' ends before it starts", o.id.get_ref()),
                ));
            }
            for other in pol
                .obligations
                .iter()
                .filter(|x| x.id.get_ref() == o.id.get_ref() && !std::ptr::eq(*x, o))
            {
                let overlaps = o.effective_from < other.effective_to.unwrap_or(NaiveDate::MAX)
                    && other.effective_from < o.effective_to.unwrap_or(NaiveDate::MAX);
                if overlaps {
                    return Err(err(
                        policy,
                        o.id.span().start,
                        format!("obligation '{}' has two versions in force at once", o.id.get_ref()),
                    ));
                }
            }
            obligation_ids.insert(o.id.get_ref().as_str());
        }
        let g = &pol.dspt_grid;
        let in_range = |v: u8| (1..=5).contains(&v);
        let grid_ok = in_range(g.reportable_min_likelihood)
            && in_range(g.reportable_min_severity)
            && in_range(g.vulnerable_groups_minimum)
            && g.urgent_24h_cells.iter().all(|[l, s]| in_range(*l) && in_range(*s));
        if !grid_ok {
            return Err(err(policy, 0, "dspt_grid values must be between 1 and 5".into()));
        }
        let ch = &pol.chasing;
        if ch.remind_after_hours == 0 || ch.escalate_after_hours == 0 || ch.urgent_minutes == 0 {
            return Err(err(
                policy,
                policy.1.find("[chasing]").unwrap_or(0),
                "chasing: remind_after_hours, escalate_after_hours and urgent_minutes must each be at least 1".into(),
            ));
        }

        let mut rule_ids = BTreeSet::new();
        for r in &rule_set.rules {
            let at = r.id.span().start;
            if !rule_ids.insert(r.id.get_ref().as_str()) {
                return Err(err(rules, at, format!("rule id '{}' is used twice", r.id.get_ref())));
            }
            for (set, values) in [("urgency", &r.urgency), ("patients_harmed_now", &r.patients_harmed_now)] {
                if let Some(bad) = values.iter().find(|v| t.entry(set, v).is_none()) {
                    return Err(err(
                        rules,
                        at,
                        format!(
                            "rule '{}': {set} '{bad}' is not one of: {}",
                            r.id.get_ref(),
                            t.allowed(set)
                        ),
                    ));
                }
            }
            if let Some(h) = r.min_harm.as_ref().filter(|h| t.entry("physical_harm", h).is_none()) {
                return Err(err(
                    rules,
                    at,
                    format!(
                        "rule '{}': min_harm '{h}' is not one of: {}",
                        r.id.get_ref(),
                        t.allowed("physical_harm")
                    ),
                ));
            }
            if r.to.is_empty() {
                return Err(err(rules, at, format!("rule '{}' sends nowhere", r.id.get_ref())));
            }
            for target in &r.to {
                if directory.get(target.destination.get_ref()).is_none() {
                    return Err(err(
                        rules,
                        target.destination.span().start,
                        format!(
                            "rule '{}' names destination '{}', which is not in the directory",
                            r.id.get_ref(),
                            target.destination.get_ref()
                        ),
                    ));
                }
                if let Some(o) = target
                    .obligation
                    .as_ref()
                    .filter(|o| !obligation_ids.contains(o.get_ref().as_str()))
                {
                    return Err(err(
                        rules,
                        o.span().start,
                        format!(
                            "rule '{}' names obligation '{}', which is not in the obligations file",
                            r.id.get_ref(),
                            o.get_ref()
                        ),
                    ));
                }
            }
        }
        let calendar = WorkingCalendar::new(start, end, pol.bank_holidays.iter().copied().collect());
        Ok(Self {
            directory,
            rules: rule_set,
            policy: pol,
            calendar,
            sources: [dir.1.to_string(), rules.1.to_string(), policy.1.to_string()],
        })
    }

    /// The three files as given: directory, rules, obligations.
    pub fn sources(&self) -> &[String; 3] {
        &self.sources
    }

    /// The working calendar (Europe/London) the policy defines.
    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// The clock `obligation` starts for report `r` received at `received_at`, using the version of the
    /// obligation in force on the start date.
    pub fn due(&self, obligation: &str, r: &ValidReport, received_at: DateTime<Utc>) -> Option<Due> {
        let b = r.body();
        let (started_at, started_from) = match self
            .policy
            .obligations
            .iter()
            .find(|o| o.id.get_ref() == obligation)?
            .from
        {
            ClockStart::Received => (received_at, "received"),
            // Legal clocks run from awareness. Without an awareness time, detection is the earliest the
            // organisation can be shown to have known; failing that, receipt.
            ClockStart::Aware => match (b.aware_at, b.detected_at) {
                (Some(a), _) => (a, "aware_at"),
                (None, Some(d)) => (d.min(received_at), "detected_at"),
                (None, None) => (received_at, "received"),
            },
        };
        let day = started_at.date_naive();
        let o = self.policy.obligations.iter().find(|o| {
            o.id.get_ref() == obligation && o.effective_from <= day && o.effective_to.is_none_or(|to| day < to)
        })?;
        let due_at = deadline(started_at, o.hours, o.working_hours, o.working_days, &self.calendar);
        Some(Due {
            obligation: obligation.to_string(),
            name: o.name.clone(),
            started_at,
            started_from: started_from.to_string(),
            due_at,
            verified: o.verified,
        })
    }
}
