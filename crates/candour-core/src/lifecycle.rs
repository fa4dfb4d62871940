//! The report lifecycle: which action moves a report from which status to which.
//!
//! submitted → received (automatic) → acknowledged (a named human) → triaged → investigating → made safe →
//! resolved → closed (with feedback to the reporter), plus reopen and withdraw. The table [`TRANSITIONS`] is
//! the whole rule; [`next`] only looks it up and checks each action's own fields.

use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a report is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent by the reporter, not yet stored.
    Submitted,
    /// Stored; no human has looked yet.
    Received,
    /// A named human has acknowledged it.
    Acknowledged,
    /// Triaged.
    Triaged,
    /// Under investigation.
    Investigating,
    /// Immediate risk controlled.
    MadeSafe,
    /// Fixed or otherwise resolved.
    Resolved,
    /// Closed, with feedback sent to the reporter.
    Closed,
    /// Withdrawn (by the reporter or as a duplicate), with a reason.
    Withdrawn,
}

impl Status {
    /// Every status in lifecycle order.
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Received,
        Status::Acknowledged,
        Status::Triaged,
        Status::Investigating,
        Status::MadeSafe,
        Status::Resolved,
        Status::Closed,
        Status::Withdrawn,
    ];
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Acknowledged => "acknowledged",
            Status::Triaged => "triaged",
            Status::Investigating => "investigating",
            Status::MadeSafe => "made_safe",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }
    /// True once no more work is expected.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Closed | Status::Withdrawn)
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown status '{s}'"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an acknowledgement was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AckMethod {
    /// In Candour itself.
    Web,
    /// By phone.
    Phone,
    /// By email.
    Email,
    /// In person.
    InPerson,
}

/// Something a person (or, for `receive`, the system) does to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Automatic on storage.
    Receive,
    /// A named human confirms they have seen it.
    Acknowledge {
        /// Their name.
        name: String,
        /// Their role.
        role: String,
        /// How.
        #[serde(default = "default_ack_method")]
        method: AckMethod,
    },
    /// Triage done.
    Triage {
        /// Triage note.
        #[serde(default)]
        note: Option<String>,
    },
    /// Investigation started.
    StartInvestigation {
        /// Note.
        #[serde(default)]
        note: Option<String>,
    },
    /// Immediate risk controlled.
    MakeSafe {
        /// What made it safe.
        note: String,
    },
    /// Resolved.
    Resolve {
        /// What was done.
        summary: String,
    },
    /// Closed with feedback to the reporter ("you said, we did").
    Close {
        /// The message the reporter sees.
        feedback: String,
    },
    /// Reopened.
    Reopen {
        /// Why.
        reason: String,
    },
    /// Withdrawn.
    Withdraw {
        /// Why.
        reason: String,
    },
}

fn default_ack_method() -> AckMethod {
    AckMethod::Web
}

/// The action names, as used in the transition table and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionName {
    /// `receive`
    Receive,
    /// `acknowledge`
    Acknowledge,
    /// `triage`
    Triage,
    /// `start_investigation`
    StartInvestigation,
    /// `make_safe`
    MakeSafe,
    /// `resolve`
    Resolve,
    /// `close`
    Close,
    /// `reopen`
    Reopen,
    /// `withdraw`
    Withdraw,
}

impl ActionName {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Receive => "receive",
            ActionName::Acknowledge => "acknowledge",
            ActionName::Triage => "triage",
            ActionName::StartInvestigation => "start_investigation",
            ActionName::MakeSafe => "make_safe",
            ActionName::Resolve => "resolve",
            ActionName::Close => "close",
            ActionName::Reopen => "reopen",
            ActionName::Withdraw => "withdraw",
        }
    }
}

use Status::*;

/// The whole lifecycle rule: (action, from any of these, to). `reopen` goes to `received` for a report no
/// human has acknowledged yet (see [`next`]).
pub const TRANSITIONS: &[(ActionName, &[Status], Status)] = &[
    (ActionName::Receive, &[Submitted], Received),
    (ActionName::Acknowledge, &[Received], Acknowledged),
    (ActionName::Triage, &[Acknowledged], Triaged),
    (ActionName::StartInvestigation, &[Triaged, MadeSafe], Investigating),
    (ActionName::MakeSafe, &[Triaged, Investigating], MadeSafe),
    (ActionName::Resolve, &[Triaged, Investigating, MadeSafe], Resolved),
    (ActionName::Close, &[Resolved], Closed),
    (ActionName::Reopen, &[Resolved, Closed, Withdrawn], Investigating),
    (
        ActionName::Withdraw,
        &[
            Submitted,
            Received,
            Acknowledged,
            Triaged,
            Investigating,
            MadeSafe,
            Resolved,
        ],
        Withdrawn,
    ),
];

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// Not allowed from this status.
    #[error("cannot {action} a report that is {from}; allowed from: {allowed}")]
    NotAllowed {
        /// The action tried.
        action: &'static str,
        /// The current status.
        from: Status,
        /// Statuses from which it is allowed.
        allowed: String,
    },
    /// The action's own fields are missing or wrong.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

impl Action {
    /// The action's name.
    pub fn name(&self) -> ActionName {
        match self {
            Action::Receive => ActionName::Receive,
            Action::Acknowledge { .. } => ActionName::Acknowledge,
            Action::Triage { .. } => ActionName::Triage,
            Action::StartInvestigation { .. } => ActionName::StartInvestigation,
            Action::MakeSafe { .. } => ActionName::MakeSafe,
            Action::Resolve { .. } => ActionName::Resolve,
            Action::Close { .. } => ActionName::Close,
            Action::Reopen { .. } => ActionName::Reopen,
            Action::Withdraw { .. } => ActionName::Withdraw,
        }
    }

    /// Check the action's own fields (trimmed; required text present; lengths bounded).
    pub fn validate(&mut self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut need = |path: &str, v: &mut String, max: usize| {
            *v = v.trim().to_string();
            if v.is_empty() {
                e.push(path, "required", "is required");
            } else if v.chars().count() > max {
                e.push(path, "too_long", format!("must be at most {max} characters"));
            }
        };
        match self {
            Action::Acknowledge { name, role, .. } => {
                need("name", name, 200);
                need("role", role, 200);
            }
            Action::MakeSafe { note } => need("note", note, 4000),
            Action::Resolve { summary } => need("summary", summary, 4000),
            Action::Close { feedback } => need("feedback", feedback, 4000),
            Action::Reopen { reason } | Action::Withdraw { reason } => need("reason", reason, 4000),
            Action::Triage { note } | Action::StartInvestigation { note } => {
                if let Some(n) = note {
                    need("note", n, 4000);
                }
            }
            Action::Receive => {}
        }
        e.into_result(())
    }
}

/// The status a report moves to when `action` is applied in `from`.
///
/// `acknowledged` says whether a human has ever acknowledged the report: a reopened report that nobody has
/// acknowledged goes back to `received`, so it shows again as waiting for a human.
pub fn next(from: Status, action: &Action, acknowledged: bool) -> Result<Status, LifecycleError> {
    let name = action.name();
    let (_, allowed, to) = TRANSITIONS
        .iter()
        .find(|(a, _, _)| *a == name)
        .copied()
        .unwrap_or((name, &[], from));
    if !allowed.contains(&from) {
        return Err(LifecycleError::NotAllowed {
            action: name.as_str(),
            from,
            allowed: allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        });
    }
    if name == ActionName::Reopen && !acknowledged {
        return Ok(Received);
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack() -> Action {
        Action::Acknowledge {
            name: "Priya Shah".into(),
            role: "CSO".into(),
            method: AckMethod::Web,
        }
    }

    #[test]
    fn happy_path_reaches_closed() {
        let mut s = Submitted;
        let steps = [
            Action::Receive,
            ack(),
            Action::Triage { note: None },
            Action::StartInvestigation { note: None },
            Action::MakeSafe {
                note: "Downtime procedure".into(),
            },
            Action::Resolve {
                summary: "Patched".into(),
            },
            Action::Close {
                feedback: "You said the allergy banner was hidden; the supplier fixed it.".into(),
            },
        ];
        let want = [
            Received,
            Acknowledged,
            Triaged,
            Investigating,
            MadeSafe,
            Resolved,
            Closed,
        ];
        for (a, w) in steps.iter().zip(want) {
            s = next(s, a, s != Received && s != Submitted).unwrap();
            assert_eq!(s, w);
        }
    }

    #[test]
    fn triage_needs_a_human_acknowledgement_first() {
        let e = next(Received, &Action::Triage { note: None }, false).unwrap_err();
        assert!(e.to_string().contains("cannot triage a report that is received"), "{e}");
    }

    #[test]
    fn every_pair_outside_the_table_is_refused() {
        let actions = [
            Action::Receive,
            ack(),
            Action::Triage { note: None },
            Action::StartInvestigation { note: None },
            Action::MakeSafe { note: "x".into() },
            Action::Resolve { summary: "x".into() },
            Action::Close { feedback: "x".into() },
            Action::Reopen { reason: "x".into() },
            Action::Withdraw { reason: "x".into() },
        ];
        let mut allowed = 0;
        for from in Status::ALL {
            for a in &actions {
                let in_table = TRANSITIONS.iter().any(|(n, f, _)| *n == a.name() && f.contains(&from));
                assert_eq!(next(from, a, true).is_ok(), in_table, "{from} {:?}", a.name());
                allowed += usize::from(in_table);
            }
        }
        assert_eq!(allowed, 21);
        // Terminal states only move by reopening.
        for a in &actions {
            if a.name() != ActionName::Reopen {
                assert!(next(Closed, a, true).is_err());
            }
        }
    }

    #[test]
    fn reopen_goes_back_to_received_when_nobody_acknowledged() {
        let r = Action::Reopen {
            reason: "Withdrawn by mistake".into(),
        };
        assert_eq!(next(Withdrawn, &r, false), Ok(Received));
        assert_eq!(next(Withdrawn, &r, true), Ok(Investigating));
    }

    #[test]
    fn close_needs_feedback_and_ack_needs_a_name() {
        let mut c = Action::Close { feedback: "   ".into() };
        let e = c.validate().unwrap_err();
        assert_eq!(e.errors[0].path, "feedback");
        let mut a = Action::Acknowledge {
            name: "".into(),
            role: " ".into(),
            method: AckMethod::Phone,
        };
        let e = a.validate().unwrap_err();
        assert_eq!(
            e.errors.iter().map(|x| x.path.as_str()).collect::<Vec<_>>(),
            ["name", "role"]
        );
    }

    #[test]
    fn actions_parse_from_json_and_reject_unknown_ones() {
        let a: Action = serde_json::from_str(r#"{"action":"close","feedback":"Thanks"}"#).unwrap();
        assert_eq!(a.name(), ActionName::Close);
        assert!(serde_json::from_str::<Action>(r#"{"action":"delete"}"#).is_err());
        assert!(serde_json::from_str::<Action>(r#"{"action":"close"}"#).is_err());
    }
}
