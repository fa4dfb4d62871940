//! Routing: which bodies must hear about a report, why, and by when.
//!
//! Three versioned data files (`data/routing/`) hold the policy: the **directory** of destinations and how
//! to reach them, the **rules** that match reports to destinations, and the **obligations** (clocks) each
//! sending starts. [`Tables::parse`] checks them together and names the file, line and reason of any
//! problem; [`decide`] is a pure function from a report to an explained [`Decision`].

mod clock;
mod tables;

pub use clock::{deadline, ClockState, WorkingCalendar};
pub use tables::{
    Chasing, ClockStart, ContactMethod, Destination, DestinationScope, Directory, DsptGrid, Method, Obligation, Policy,
    Rule, RuleSet, TableError, Tables, Target, EMBEDDED,
};

use crate::report::ValidReport;
use crate::taxonomy::Taxonomy;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The tables in force, shared by every request and the delivery worker, and replaced whole when an
/// administrator saves a new version: a reader always sees one complete, checked version.
#[derive(Debug, Clone)]
pub struct InForce(std::sync::Arc<std::sync::RwLock<(i64, std::sync::Arc<Tables>)>>);

impl InForce {
    /// Start with `tables`, stored as `version` (0: the tables built into Candour).
    pub fn new(version: i64, tables: Tables) -> Self {
        Self(std::sync::Arc::new(std::sync::RwLock::new((
            version,
            std::sync::Arc::new(tables),
        ))))
    }

    /// The tables in force now, and their stored version.
    pub fn get(&self) -> (i64, std::sync::Arc<Tables>) {
        let g = self.0.read().unwrap_or_else(|p| p.into_inner());
        (g.0, g.1.clone())
    }

    /// The tables in force now.
    pub fn tables(&self) -> std::sync::Arc<Tables> {
        self.get().1
    }

    /// Put `tables` (already checked) in force as `version`.
    pub fn replace(&self, version: i64, tables: Tables) {
        let mut g = self.0.write().unwrap_or_else(|p| p.into_inner());
        *g = (version, std::sync::Arc::new(tables));
    }
}

/// Facts about the reporting organisation that routing depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgFacts {
    /// An operator of essential services under the NIS Regulations.
    pub oes: bool,
    /// Subject to the Data Security and Protection Toolkit.
    pub dspt: bool,
}

/// Why a destination was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Because {
    /// The rule's id.
    pub rule: String,
    /// The rule's description, and for the urgent path, why it applied.
    pub reason: String,
}

/// A clock started by a routing decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Due {
    /// Obligation id.
    pub obligation: String,
    /// Obligation name.
    pub name: String,
    /// When the clock started.
    pub started_at: DateTime<Utc>,
    /// What the start was taken from: `aware_at`, `detected_at` or `received`.
    pub started_from: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// False when the figure is not verified against a primary source.
    pub verified: bool,
}

/// One destination and everything that sends the report there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Routed {
    /// Destination id.
    pub destination: String,
    /// Destination name.
    pub name: String,
    /// Every rule that chose it.
    pub because: Vec<Because>,
    /// The earliest clock any of those rules started.
    pub due: Option<Due>,
    /// Every clock started for this destination, earliest first.
    pub clocks: Vec<Due>,
}

/// Where a report goes, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Decision {
    /// Versions of the tables used, for the record.
    pub versions: [String; 3],
    /// True when patients are harmed now and the urgent path was forced.
    pub urgent_path: bool,
    /// Destinations in the order first chosen.
    pub routes: Vec<Routed>,
}

impl Decision {
    /// The route to one destination, if chosen.
    pub fn to(&self, destination: &str) -> Option<&Routed> {
        self.routes.iter().find(|r| r.destination == destination)
    }
}

fn matches(rule: &Rule, r: &ValidReport, t: &Taxonomy, org: OrgFacts) -> bool {
    let b = r.body();
    let any = |set: &[String], v: &str| set.is_empty() || set.iter().any(|s| s == v);
    (rule.kinds.is_empty() || rule.kinds.contains(&b.kind))
        && any(&rule.urgency, &b.urgency)
        && any(&rule.patients_harmed_now, &b.patients_harmed_now)
        && rule
            .min_harm
            .as_ref()
            .is_none_or(|h| r.max_physical_rank(t) >= t.rank("physical_harm", h))
        && rule.safeguarding.is_none_or(|s| s == b.safeguarding_concern)
        && rule.org_oes.is_none_or(|v| v == org.oes)
        && rule.org_dspt.is_none_or(|v| v == org.dspt)
        && rule.product_named.is_none_or(|v| v == r.product().is_some())
}

/// Route a report received at `received_at`.
///
/// A report whose reporter says patients are being harmed now always takes every `urgent_path` rule,
/// whatever those rules' other conditions say: that guarantee lives here, not in the data.
pub fn decide(tables: &Tables, t: &Taxonomy, r: &ValidReport, org: OrgFacts, received_at: DateTime<Utc>) -> Decision {
    let harmed_now = r.body().patients_harmed_now == "yes";
    let mut routes: Vec<Routed> = Vec::new();
    for rule in &tables.rules.rules {
        let forced = harmed_now && rule.urgent_path;
        if !forced && !matches(rule, r, t, org) {
            continue;
        }
        let reason = if forced && !matches(rule, r, t, org) {
            format!("{} (applied because patients are being harmed now)", rule.description)
        } else {
            rule.description.clone()
        };
        for target in &rule.to {
            let Some(dest) = tables.directory.get(target.destination.get_ref()) else {
                continue;
            };
            let clock = target
                .obligation
                .as_ref()
                .and_then(|o| tables.due(o.get_ref(), r, received_at));
            let because = Because {
                rule: rule.id.get_ref().clone(),
                reason: reason.clone(),
            };
            match routes.iter_mut().find(|x| x.destination == *dest.id.get_ref()) {
                Some(x) => {
                    if !x.because.contains(&because) {
                        x.because.push(because);
                    }
                    if let Some(c) = clock {
                        x.clocks.push(c);
                    }
                }
                None => routes.push(Routed {
                    destination: dest.id.get_ref().clone(),
                    name: dest.name.clone(),
                    because: vec![because],
                    due: None,
                    clocks: clock.into_iter().collect(),
                }),
            }
        }
    }
    for x in &mut routes {
        x.clocks.sort_by_key(|c| c.due_at);
        x.due = x.clocks.first().cloned();
    }
    Decision {
        versions: [
            tables.directory.version.clone(),
            tables.rules.version.clone(),
            tables.policy.version.clone(),
        ],
        urgent_path: harmed_now,
        routes,
    }
}

#[cfg(test)]
mod tests;
