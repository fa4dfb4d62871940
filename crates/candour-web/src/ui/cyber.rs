//! The workspace pages for cyber incidents, suspicious activity and vulnerabilities (issue 7):
//! `/workspace/reports/{ref}/cyber` shows the TLP marking, what blocks closure, for vulnerabilities the
//! disclosure countdown (acknowledge by, publish by, the rule that set it, who was told of patient risk),
//! the clinical impact assessment and its CSO review, the indicators table with a bulk paste and
//! correlations, the timeline, the tasks, and the exports. Every form posts to the same functions as the
//! JSON API (`crate::cyber`), so the rules and the audit are the same. Works without JavaScript.

use super::workspace::{csrf_refused, error_summary, staff, to_sign_in, with_cookie};
use super::{c, csrf, esc, page, see_other, Page};
use crate::auth::Caller;
use crate::cyber::{self as api, CaseView, CsafQuery};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::cyber::{
    ClinicalImpact, DisclosureFacts, Downtime, Harm, ImpactLevel, SafetyEvent, Task, TaskStatus, TimelineEvent, Tlp,
};
use candour_core::identity::{Principal, SignOffSafety, TransitionReports};
use candour_core::record::ReportRecord;
use candour_core::time::{london, parse_london};
use candour_core::{ReportKind, ValidationErrors};
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A link to the cyber page, for the report page (cyber kinds only).
pub(super) fn link(reference: &str, kind: ReportKind) -> String {
    if !matches!(
        kind,
        ReportKind::CyberIncident | ReportKind::SuspiciousActivity | ReportKind::Vulnerability
    ) {
        return String::new();
    }
    let what = if kind == ReportKind::Vulnerability {
        "Disclosure, clinical impact and advisories"
    } else {
        "Indicators, timeline, tasks, clinical impact and CSOC report"
    };
    format!(
        "<h2 class=\"nhsuk-heading-m\" id=\"cyber-record\">Cyber working record</h2><p><a href=\"/workspace/reports/{r}/cyber\">{what}</a></p>",
        r = esc(reference)
    )
}

fn errors_of(e: &ApiError, form: &str) -> Vec<(String, String)> {
    match e {
        ApiError::Invalid(v) => v
            .errors
            .iter()
            .map(|f| {
                (
                    format!("{form}-{}", f.path.split(['.', '[']).next().unwrap_or(&f.path)),
                    f.message.clone(),
                )
            })
            .collect(),
        ApiError::Conflict(m) | ApiError::Forbidden(m) | ApiError::Transition(m) => vec![(form.to_string(), m.clone())],
        ApiError::NotFound(m) => vec![(form.to_string(), format!("{m} not found"))],
        other => {
            tracing::error!(error = %other, "cyber form failed");
            vec![(form.to_string(), "Sorry, that did not save. Try again.".to_string())]
        }
    }
}

fn tag(text: &str, colour: &str) -> String {
    format!("<strong class=\"nhsuk-tag nhsuk-tag--{colour}\">{}</strong>", esc(text))
}

fn tlp_colour(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "white",
        Tlp::Green => "green",
        Tlp::Amber | Tlp::AmberStrict => "orange",
        Tlp::Red => "red",
    }
}

fn table(caption: &str, head: &[&str], rows: Vec<Vec<Value>>) -> String {
    c(
        "table",
        json!({ "caption": caption, "firstCellIsHeader": false, "responsive": true,
                "head": head.iter().map(|h| json!({ "text": h })).collect::<Vec<_>>(), "rows": rows }),
    )
}

struct Ctx<'a> {
    token: &'a str,
    reference: &'a str,
    errors: &'a [(String, String)],
    /// What was sent with the form that failed (only that form shows it again).
    sent: &'a HashMap<String, String>,
    /// The id of the form that failed (`impact`, `task-<id>`…), empty when none did.
    sent_form: &'a str,
    /// A note on what the last paste did (shown above the indicators).
    notice: String,
}

impl Ctx<'_> {
    fn err(&self, id: &str) -> Value {
        self.errors
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, m)| json!({ "text": m }))
            .unwrap_or(Value::Null)
    }
    /// The value sent for field `name` of the form whose field ids start `<form>-`, if that form failed.
    fn sent_for(&self, id: &str, name: &str) -> Option<String> {
        let mine = !self.sent_form.is_empty() && id.starts_with(&format!("{}-", self.sent_form));
        mine.then(|| self.sent.get(name).cloned()).flatten()
    }
    fn form(&self, action: &str, inner: String) -> String {
        self.form_as(action, action, inner)
    }
    fn form_as(&self, action: &str, id: &str, inner: String) -> String {
        format!(
            "<form method=\"post\" action=\"/workspace/reports/{r}/cyber/{action}\" id=\"{id}\" novalidate>{}{inner}</form>",
            csrf::field(self.token),
            r = esc(self.reference),
            id = esc(id),
        )
    }
    fn input(&self, id: &str, name: &str, label: &str, hint: &str, kind: &str) -> String {
        self.input_or(id, name, label, hint, kind, "")
    }
    /// An input showing `stored` unless the failed form sent something else.
    fn input_or(&self, id: &str, name: &str, label: &str, hint: &str, kind: &str, stored: &str) -> String {
        let value = self.sent_for(id, name).unwrap_or_else(|| stored.to_string());
        c(
            "input",
            json!({ "id": id, "name": name, "type": kind, "label": { "text": label },
                    "hint": if hint.is_empty() { Value::Null } else { json!({ "text": hint }) },
                    "value": value, "errorMessage": self.err(id) }),
        )
    }
    fn textarea_or(&self, id: &str, name: &str, label: &str, hint: &str, stored: &str) -> String {
        let value = self.sent_for(id, name).unwrap_or_else(|| stored.to_string());
        c(
            "textarea",
            json!({ "id": id, "name": name, "label": { "text": label }, "hint": { "text": hint },
                    "value": value, "errorMessage": self.err(id) }),
        )
    }
    fn textarea(&self, id: &str, name: &str, label: &str, hint: &str) -> String {
        self.textarea_or(id, name, label, hint, "")
    }
    /// A choice of one (radios: the design system's select is not ported, and radios suit short lists).
    fn select(&self, id: &str, name: &str, label: &str, options: &[(&str, &str)], chosen: &str) -> String {
        let items: Vec<Value> = options
            .iter()
            .map(|(v, t)| json!({ "value": v, "text": t, "checked": *v == chosen }))
            .collect();
        c(
            "radios",
            json!({ "idPrefix": id, "name": name, "fieldset": { "legend": { "text": label, "classes": "nhsuk-fieldset__legend--s" } },
                    "classes": if options.len() <= 5 && options.iter().all(|(_, t)| t.len() < 20) { "nhsuk-radios--inline" } else { "" },
                    "items": items, "errorMessage": self.err(id) }),
        )
    }
    fn button(&self, text: &str, secondary: bool) -> String {
        c(
            "button",
            json!({ "text": text, "classes": if secondary { "nhsuk-button--secondary" } else { "" } }),
        )
    }
}

fn tlp_options() -> Vec<(&'static str, &'static str)> {
    Tlp::ALL.iter().map(|t| (t.as_str(), t.as_str())).collect()
}

fn disclosure_section(
    cx: &Ctx<'_>,
    rec: &ReportRecord,
    v: &CaseView,
    policy: &candour_core::cyber::DisclosurePolicy,
    may_act: bool,
) -> String {
    let Some(t) = &v.disclosure_timeline else {
        return String::new();
    };
    let now = Utc::now();
    let days = v.days_to_publication.unwrap_or(0);
    let ack = match &rec.state.acknowledgement {
        Some(a) => format!("Acknowledged by {} on {}", esc(&a.name), esc(&london(a.at))),
        None if t.acknowledge_by < now => format!(
            "{} Acknowledge the researcher now: it was due by {}",
            tag("Overdue", "red"),
            esc(&london(t.acknowledge_by))
        ),
        None => format!("Acknowledge the researcher by {}", esc(&london(t.acknowledge_by))),
    };
    let countdown = match v.published_at {
        Some(at) => format!("Advisory published {}", london(at)),
        None if days < 0 => format!("Publication is {} days overdue", -days),
        None => format!("{days} days to publication"),
    };
    let escalated: String = v
        .case
        .escalations
        .iter()
        .map(|e| {
            format!(
                "<li>{} told {} ({} message(s)): {}</li>",
                esc(&london(e.at)),
                esc(&e.destination),
                e.messages,
                esc(&e.note)
            )
        })
        .collect();
    let d = &v.case.disclosure;
    // After a refused save, show what was ticked, not what is stored.
    let (exploited, patient_risk) = if cx.sent_form == "disclosure" {
        let flags = cx.sent.get("flags").map(String::as_str).unwrap_or("");
        (
            flags.split(',').any(|f| f == "exploited"),
            flags.split(',').any(|f| f == "patient_risk"),
        )
    } else {
        (d.exploited_in_wild, d.patient_risk)
    };
    let checks = c(
        "checkboxes",
        json!({ "idPrefix": "disclosure-flags", "name": "flags", "fieldset": { "legend": { "text": "What is known" } },
                "items": [
                    { "value": "exploited", "text": "Exploited in the wild", "checked": exploited,
                      "hint": { "text": format!("Shortens the timeline to {} days", policy.exploited_days) } },
                    { "value": "patient_risk", "text": "Uncontrolled risk to patients", "checked": patient_risk,
                      "hint": { "text": format!("Tells the Clinical Safety Officer and the urgent route now, and shortens the timeline to {} days", policy.patient_risk_days) } }
                ] }),
    );
    let form = if may_act {
        cx.form(
            "disclosure",
            format!(
                "{checks}{}{}",
                cx.input_or(
                    "disclosure-agreed_publication",
                    "agreed_publication",
                    "Publication date agreed with the researcher (optional)",
                    "For example 2027-02-15. It never lengthens an in-the-wild or patient-risk timeline.",
                    "date",
                    &d.agreed_publication.map(|x| x.to_string()).unwrap_or_default()
                ),
                cx.button("Save the disclosure facts", true)
            ),
        )
    } else {
        String::new()
    };
    format!(
        "<h2 class=\"nhsuk-heading-m\">Coordinated disclosure</h2>\
         <div class=\"nhsuk-card\"><div class=\"nhsuk-card__content\"><p class=\"nhsuk-heading-l\" id=\"countdown\">{countdown}</p>\
         <p>Publish by {} ({}).</p><p>{ack}</p></div></div>{}{form}",
        esc(&london(t.publish_by)),
        esc(&t.basis),
        if escalated.is_empty() {
            String::new()
        } else {
            format!("<h3 class=\"nhsuk-heading-s\">Told at once of patient risk</h3><ul>{escalated}</ul>")
        }
    )
}

fn impact_section(cx: &Ctx<'_>, v: &CaseView, may_act: bool, may_review: bool) -> String {
    let latest = v.case.impact();
    let now = match latest {
        None => "<p>Not assessed yet. Every cyber incident and vulnerability needs one (\"none\" is an answer).</p>"
            .to_string(),
        Some(i) => {
            let ci = &i.impact;
            let reviewed = v.case.impact_reviews.iter().find(|r| r.version == i.version);
            let review = match (reviewed, ci.needs_cso_review()) {
                (Some(r), _) => format!(
                    "Reviewed by {} on {}: {}",
                    esc(&r.actor),
                    esc(&london(r.at)),
                    esc(&r.note)
                ),
                (None, true) => tag("CSO review needed before closure", "red"),
                (None, false) => "No CSO review needed".into(),
            };
            let rows: Vec<(&str, String)> = vec![
                ("Level", esc(ci.level.as_str())),
                ("Summary", esc(&ci.summary)),
                ("Clinical services affected", esc(&ci.services_affected.join(", "))),
                (
                    "Downtime procedures",
                    ci.downtime
                        .iter()
                        .map(|d| {
                            format!(
                                "{} from {} to {}",
                                esc(&d.procedure),
                                esc(&london(d.from)),
                                d.to.map(|t| esc(&london(t))).unwrap_or_else(|| "still in use".into())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("<br>"),
                ),
                ("Appointments postponed", ci.appointments_postponed.to_string()),
                ("Procedures postponed", ci.procedures_postponed.to_string()),
                ("Diagnostics delayed", ci.diagnostics_delayed.to_string()),
                ("Ambulance diversions", ci.ambulance_diversions.to_string()),
                (
                    "Patient safety events",
                    ci.safety_events
                        .iter()
                        .map(|s| format!("{} harm: {}", esc(s.harm.as_str()), esc(&s.description)))
                        .collect::<Vec<_>>()
                        .join("<br>"),
                ),
                (
                    "Assessed",
                    format!("version {} by {} on {}", i.version, esc(&i.actor), esc(&london(i.at))),
                ),
                ("CSO review", review),
            ];
            let dl: String = rows
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">{k}</dt>\
                         <dd class=\"nhsuk-summary-list__value\">{v}</dd></div>"
                    )
                })
                .collect();
            format!("<dl class=\"nhsuk-summary-list\" id=\"clinical-impact\">{dl}</dl>")
        }
    };
    let version = latest.map_or(0, |i| i.version);
    let review = match latest {
        Some(i)
            if may_review
                && i.impact.needs_cso_review()
                && !v.case.impact_reviews.iter().any(|r| r.version == i.version) =>
        {
            cx.form(
                "review",
                format!(
                    "<input type=\"hidden\" name=\"version\" value=\"{version}\">{}{}",
                    cx.textarea(
                        "review-note",
                        "note",
                        "Your review as Clinical Safety Officer",
                        "What you checked and concluded, e.g. harm reviews done, hazards raised."
                    ),
                    cx.button("Record the review", false)
                ),
            )
        }
        _ => String::new(),
    };
    // The form starts from the latest version, so recording it again changes only what is changed.
    let stored = latest.map(|i| &i.impact);
    let lines = |f: &dyn Fn(&ClinicalImpact) -> Vec<String>| stored.map(|ci| f(ci).join("\n")).unwrap_or_default();
    let local = |t: chrono::DateTime<Utc>| {
        t.with_timezone(&chrono_tz::Europe::London)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let num = |f: &dyn Fn(&ClinicalImpact) -> u32| stored.map(|ci| f(ci).to_string()).unwrap_or_default();
    let chosen = cx
        .sent_for("impact-level", "level")
        .unwrap_or_else(|| latest.map_or("unknown", |i| i.impact.level.as_str()).to_string());
    let assess = if may_act {
        cx.form(
            "impact",
            format!(
                "<input type=\"hidden\" name=\"expected_version\" value=\"{version}\">{}{}{}{}{}{}{}{}{}{}{}",
                cx.select(
                    "impact-level",
                    "level",
                    "Clinical impact",
                    &[("none", "None: no effect on patient care"), ("unknown", "Not yet known"), ("low", "Low: care delayed, no harm"), ("moderate", "Moderate: care significantly disrupted, or harm possible"), ("severe", "Severe: harm occurred or likely, or services suspended")],
                    &chosen
                ),
                cx.textarea_or("impact-summary", "summary", "What it did to patient care", "Patient identifiers are removed.", stored.map_or("", |ci| ci.summary.as_str())),
                cx.textarea_or("impact-services_affected", "services", "Clinical services affected", "One per line, e.g. Pathology", &lines(&|ci| ci.services_affected.clone())),
                cx.textarea_or(
                    "impact-downtime",
                    "downtime",
                    "Downtime procedures invoked",
                    "One per line: procedure; from; to (blank while still in use). Times as 2026-11-21 09:00, UK time.",
                    &lines(&|ci| ci.downtime.iter().map(|d| format!("{}; {}; {}", d.procedure, local(d.from), d.to.map(local).unwrap_or_default())).collect())
                ),
                cx.input_or("impact-appointments_postponed", "appointments_postponed", "Outpatient appointments postponed", "", "number", &num(&|ci| ci.appointments_postponed)),
                cx.input_or("impact-procedures_postponed", "procedures_postponed", "Elective procedures postponed", "", "number", &num(&|ci| ci.procedures_postponed)),
                cx.input_or("impact-diagnostics_delayed", "diagnostics_delayed", "Diagnostic tests delayed", "", "number", &num(&|ci| ci.diagnostics_delayed)),
                cx.input_or("impact-ambulance_diversions", "ambulance_diversions", "Ambulance diversions", "", "number", &num(&|ci| ci.ambulance_diversions)),
                cx.textarea_or(
                    "impact-safety_events",
                    "safety_events",
                    "Patient safety events raised",
                    "One per line: harm (none, low, moderate, severe, death); what happened; report reference (optional)",
                    &lines(&|ci| ci.safety_events.iter().map(|e| format!("{}; {}{}", e.harm.as_str(), e.description, e.report.as_deref().map(|r| format!("; {r}")).unwrap_or_default())).collect())
                ),
                cx.button("Record the assessment", latest.is_some()),
                if latest.is_some() { "<p class=\"nhsuk-body-s\">Recording it again keeps this version and adds a new one.</p>" } else { "" }
            ),
        )
    } else {
        String::new()
    };
    format!("<h2 class=\"nhsuk-heading-m\">Clinical impact</h2>{now}{review}{assess}")
}

fn indicators_section(cx: &Ctx<'_>, v: &CaseView, may_act: bool) -> String {
    let mut by_value: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    for c in &v.case.correlations {
        by_value.entry((c.kind.as_str(), c.value.as_str())).or_default().push(
            c.reference
                .clone()
                .unwrap_or_else(|| "another organisation's report".into()),
        );
    }
    let rows: Vec<Vec<Value>> = v
        .case
        .indicators
        .iter()
        .map(|i| {
            let seen = by_value.get(&(i.kind.as_str(), i.value.as_str()));
            let seen = match (&i.excluded, seen) {
                (Some(why), _) => format!("Not correlated: {}", esc(why)),
                (None, Some(refs)) => refs
                    .iter()
                    .map(|r| {
                        if r.contains('-') && !r.contains(' ') {
                            format!("<a href=\"/workspace/reports/{0}\">{0}</a>", esc(r))
                        } else {
                            esc(r)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                (None, None) => String::new(),
            };
            vec![
                json!({ "text": i.kind }),
                json!({ "html": format!("<code>{}</code>", esc(&i.value)) }),
                json!({ "html": if i.is_ioc { tag("Confirmed IOC", "red") } else { tag("Artifact", "grey") } }),
                json!({ "html": tag(i.tlp.as_str(), tlp_colour(i.tlp)) }),
                json!({ "html": seen }),
            ]
        })
        .collect();
    let list = if rows.is_empty() {
        "<p>No indicators recorded yet.</p>".to_string()
    } else {
        table(
            "Indicators of compromise",
            &["Type", "Value", "Status", "TLP", "Also seen in"],
            rows,
        )
    };
    let paste = if may_act {
        cx.form(
            "indicators",
            format!(
                "{}{}{}{}",
                cx.textarea(
                    "indicators-text",
                    "text",
                    "Paste indicators",
                    "Alerts, log lines, email headers: addresses, domains, URLs, hashes, file names and CVE ids are found, defanged or not (hxxp, [.])."
                ),
                c(
                    "checkboxes",
                    json!({ "idPrefix": "indicators-is_ioc", "name": "is_ioc", "items": [
                        { "value": "yes", "text": "These are confirmed indicators of compromise (not just artifacts seen)", "checked": cx.sent_form == "indicators" && cx.sent.contains_key("is_ioc") }
                    ] })
                ),
                cx.select("indicators-tlp", "tlp", "TLP marking for these", &tlp_options(), cx.sent_for("indicators-tlp", "tlp").as_deref().unwrap_or(v.case.tlp.as_str())),
                cx.button("Add the indicators", true)
            ),
        )
    } else {
        String::new()
    };
    let change = if may_act && !v.case.indicators.is_empty() {
        cx.form(
            "indicator",
            format!(
                "<h3 class=\"nhsuk-heading-s\">Change an indicator</h3>{}{}{}{}",
                cx.input(
                    "indicator-value",
                    "value",
                    "Indicator",
                    "Its value as listed above",
                    "text"
                ),
                cx.select(
                    "indicator-is_ioc",
                    "is_ioc",
                    "Status",
                    &[("yes", "Confirmed IOC"), ("no", "Artifact")],
                    cx.sent_for("indicator-is_ioc", "is_ioc").as_deref().unwrap_or("yes")
                ),
                cx.select(
                    "indicator-tlp",
                    "tlp",
                    "TLP marking",
                    &tlp_options(),
                    cx.sent_for("indicator-tlp", "tlp")
                        .as_deref()
                        .unwrap_or(v.case.tlp.as_str())
                ),
                cx.button("Change the indicator", true)
            ),
        )
    } else {
        String::new()
    };
    format!(
        "<h2 class=\"nhsuk-heading-m\">Indicators</h2>{added}{list}{paste}{change}",
        added = cx.notice
    )
}

fn timeline_section(cx: &Ctx<'_>, v: &CaseView, may_act: bool) -> String {
    let rows: Vec<Vec<Value>> = v
        .case
        .events
        .iter()
        .map(|e| {
            vec![
                json!({ "text": london(e.event.event_at) }),
                json!({ "text": e.event.discovered_at.map(london).unwrap_or_else(|| "not known".into()) }),
                json!({ "text": e.event.summary }),
            ]
        })
        .collect();
    let list = if rows.is_empty() {
        "<p>No events recorded yet.</p>".to_string()
    } else {
        table("Timeline", &["Happened", "Discovered", "What"], rows)
    };
    let add = if may_act {
        cx.form(
            "event",
            format!(
                "{}{}{}{}",
                cx.input(
                    "event-event_at",
                    "event_at",
                    "When it happened (UK time)",
                    "For example 2026-11-21 09:15",
                    "text"
                ),
                cx.input(
                    "event-discovered_at",
                    "discovered_at",
                    "When it was discovered (UK time, optional)",
                    "",
                    "text"
                ),
                cx.textarea(
                    "event-summary",
                    "summary",
                    "What happened",
                    "Patient identifiers are removed."
                ),
                cx.button("Add the event", true)
            ),
        )
    } else {
        String::new()
    };
    format!("<h2 class=\"nhsuk-heading-m\">Timeline</h2>{list}{add}")
}

fn tasks_section(cx: &Ctx<'_>, v: &CaseView, may_act: bool) -> String {
    let statuses: Vec<(&str, &str)> = vec![
        ("open", "Open"),
        ("in_progress", "In progress"),
        ("done", "Done"),
        ("cancelled", "Cancelled"),
    ];
    let items: String = v
        .case
        .tasks
        .iter()
        .map(|t| {
            let change = if may_act {
                cx.form_as(
                    "task-update",
                    &format!("task-{}", t.id),
                    format!(
                        "<input type=\"hidden\" name=\"task\" value=\"{}\"><input type=\"hidden\" name=\"expected_revision\" value=\"{}\">{}{}{}",
                        t.id,
                        t.revision,
                        cx.select(&format!("task-{}-status", t.id), "status", &format!("Status of “{}”", t.task.title), &statuses, t.task.status.as_str()),
                        cx.input(&format!("task-{}-outcome", t.id), "outcome", &format!("Outcome of “{}”", t.task.title), "Needed when done or cancelled", "text"),
                        cx.button(&format!("Update “{}”", t.task.title), true)
                    ),
                )
            } else {
                String::new()
            };
            format!(
                "<li><p><strong>{}</strong> {} {}{}</p>{}{change}</li>",
                esc(&t.task.title),
                tag(t.task.status.as_str(), if t.task.status == TaskStatus::Done { "green" } else { "grey" }),
                t.task.assignee.as_deref().map(|a| format!("for {}", esc(a))).unwrap_or_default(),
                t.task.due_on.map(|d| format!(", due {d}")).unwrap_or_default(),
                t.task.outcome.as_deref().map(|o| format!("<p>Outcome: {}</p>", esc(o))).unwrap_or_default(),
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p>No tasks yet.</p>".to_string()
    } else {
        format!("<ul class=\"nhsuk-list\">{items}</ul>")
    };
    let add = if may_act {
        cx.form(
            "task",
            format!(
                "{}{}{}{}",
                cx.input("task-title", "title", "New task", "", "text"),
                cx.input("task-assignee", "assignee", "Who is doing it (optional)", "", "text"),
                cx.input(
                    "task-due_on",
                    "due_on",
                    "Due (optional)",
                    "For example 2026-11-30",
                    "date"
                ),
                cx.button("Add the task", true)
            ),
        )
    } else {
        String::new()
    };
    format!("<h2 class=\"nhsuk-heading-m\">Tasks</h2>{list}{add}")
}

fn exports_section(cx: &Ctx<'_>, rec: &ReportRecord, v: &CaseView, may_act: bool) -> String {
    let r = esc(cx.reference);
    let api = format!("/api/v1/reports/{r}");
    let mut links = Vec::new();
    if rec.reference.kind() != ReportKind::Vulnerability {
        links.push(format!(
            "<a href=\"{api}/cyber/csoc?format=html\">CSOC report (printable)</a>"
        ));
        links.push(format!("<a href=\"{api}/cyber/csoc\">CSOC report (email text)</a>"));
        links.push(format!(
            "<a href=\"{api}/cyber/csoc?format=json\">CSOC report (JSON)</a>"
        ));
        links.push(format!("<a href=\"{api}/stix\">STIX 2.1 bundle</a>"));
    }
    links.push(format!("<a href=\"{api}/cyber/misp\">MISP event</a>"));
    let mut publish = String::new();
    if rec.reference.kind() == ReportKind::Vulnerability {
        links.push(format!(
            "<a href=\"{api}/cyber/csaf\">CSAF 2.0 security advisory (draft)</a>"
        ));
        links.push(format!(
            "<a href=\"{api}/cyber/csaf?profile=csaf_vex\">CSAF 2.0 VEX (draft)</a>"
        ));
        if may_act {
            publish = cx.form(
                "publish",
                format!(
                    "{}{}{}",
                    cx.select(
                        "publish-profile",
                        "profile",
                        "Publish",
                        &[("csaf_security_advisory", "Security advisory"), ("csaf_vex", "VEX")],
                        "csaf_security_advisory"
                    ),
                    cx.input(
                        "publish-fixed_version",
                        "fixed_version",
                        "Version that fixes it (optional)",
                        "",
                        "text"
                    ),
                    cx.button("Publish the next version", true)
                ),
            );
        }
        let published: String = v
            .case
            .advisories
            .iter()
            .map(|a| {
                format!(
                    "<li>{} {} version {} on {} by {} (SHA-256 <code>{}</code>)</li>",
                    esc(&a.profile),
                    esc(&a.tracking_id),
                    a.version,
                    esc(&london(a.at)),
                    esc(&a.actor),
                    esc(&a.content_hash[..16.min(a.content_hash.len())])
                )
            })
            .collect();
        if !published.is_empty() {
            publish.push_str(&format!(
                "<h3 class=\"nhsuk-heading-s\">Published</h3><ul>{published}</ul>"
            ));
        }
    }
    let items: String = links.iter().map(|l| format!("<li>{l}</li>")).collect();
    format!("<h2 class=\"nhsuk-heading-m\">Exports</h2><ul class=\"nhsuk-list\">{items}</ul>{publish}")
}

#[allow(clippy::too_many_arguments)]
async fn render(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    reference: &str,
    sent: &HashMap<String, String>,
    sent_form: &str,
    notice: Option<(i64, i64)>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let (rec, v) = match api::load_case(st, who, reference).await {
        Ok(x) => x,
        Err(ApiError::Forbidden(m)) => {
            return super::error_page(StatusCode::FORBIDDEN, "You cannot see this report", &m)
        }
        Err(ApiError::NotFound(_)) | Err(ApiError::Invalid(_)) | Err(ApiError::BadJson { .. }) => {
            return super::error_page(
                StatusCode::NOT_FOUND,
                "We cannot find that cyber report",
                "Check the reference. You see only your organisation's reports.",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "cyber page failed");
            return super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            );
        }
    };
    let ods = rec.report.ods().clone();
    let may_act = who.can_for::<TransitionReports>(&ods).is_some();
    let may_review = who.can_for::<SignOffSafety>(&ods).is_some();
    let cx = Ctx {
        token: &token,
        reference: &v.reference,
        errors,
        sent,
        sent_form,
        notice: notice
            .map(|(added, already)| {
                c(
                    "inset-text",
                    json!({ "html": format!("<p id=\"paste-result\">{added} indicator(s) added; {already} already recorded (a repeat changes nothing: use “Change an indicator”).</p>") }),
                )
            })
            .unwrap_or_default(),
    };
    let blockers = if v.closure_blocked_by.is_empty() {
        String::new()
    } else {
        c(
            "warning-callout",
            json!({ "heading": "Not ready to close", "html": v.closure_blocked_by.iter().map(|e| format!("<p>{}</p>", esc(&e.message))).collect::<String>() }),
        )
    };
    let marking = if may_act {
        cx.form(
            "marking",
            format!(
                "{}{}",
                cx.select(
                    "marking-tlp",
                    "tlp",
                    "TLP marking of this incident",
                    &tlp_options(),
                    v.case.tlp.as_str()
                ),
                cx.button("Change the marking", true)
            ),
        )
    } else {
        String::new()
    };
    let b = rec.report.body();
    let title = format!("{}: {}", v.reference, b.title);
    let cvss = b
        .vulnerability
        .as_ref()
        .and_then(|x| x.cvss_vector.as_deref())
        .map(|vector| match candour_core::scoring::cvss(vector) {
            Ok(s) => format!(
                "<p>CVSS {} {}: <strong>{} ({})</strong> <code>{}</code>{}</p>",
                esc(&s.version),
                esc(s.nomenclature.as_deref().unwrap_or("base")),
                s.score,
                esc(&s.severity),
                esc(vector),
                if vector.contains("MSI:S") || vector.contains("MSA:S") || vector.contains("/S:P") {
                    " Safety: this vulnerability can affect human safety."
                } else {
                    ""
                }
            ),
            Err(why) => format!(
                "<p>CVSS vector <code>{}</code> cannot be scored: {}</p>",
                esc(vector),
                esc(&why)
            ),
        })
        .unwrap_or_default();
    let main = format!(
        "{summary}<span class=\"nhsuk-caption-l\">{kind}</span><h1>{title}</h1><p>{tlp} <a href=\"/workspace/reports/{r}\">The report as received</a></p>\
         {cvss}{blockers}{marking}{disclosure}{impact}{indicators}{timeline}{tasks}{exports}",
        summary = error_summary(errors),
        kind = esc(rec.reference.kind().as_str()),
        title = esc(&title),
        tlp = tag(v.case.tlp.as_str(), tlp_colour(v.case.tlp)),
        r = esc(&v.reference),
        disclosure = disclosure_section(&cx, &rec, &v, &st.disclosure, may_act),
        impact = impact_section(&cx, &v, may_act, may_review),
        indicators = indicators_section(&cx, &v, may_act),
        timeline = timeline_section(&cx, &v, may_act),
        tasks = tasks_section(&cx, &v, may_act),
        exports = exports_section(&cx, &rec, &v, may_act),
    );
    with_cookie(
        page(
            status,
            Page {
                title: &title,
                back: Some(&format!("/workspace/reports/{}", v.reference)),
                main,
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// What the last paste did (`?added=3&already=1`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PasteResult {
    pub added: Option<i64>,
    pub already: Option<i64>,
}

/// `GET /workspace/reports/{ref}/cyber`
pub async fn case_page(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    axum::extract::Query(q): axum::extract::Query<PasteResult>,
) -> Response {
    let here = format!("/workspace/reports/{reference}/cyber");
    let Some(who) = staff(caller) else {
        return to_sign_in(&here);
    };
    render(
        &st,
        &who,
        &headers,
        &reference,
        &HashMap::new(),
        "",
        q.added.map(|a| (a, q.already.unwrap_or(0))),
        &[],
        StatusCode::OK,
    )
    .await
}

/// The fields of any form on the page (checkbox groups repeat a name, so pairs are kept).
pub type CyberForm = Vec<(String, String)>;

fn count(f: &HashMap<String, String>, k: &str, e: &mut ValidationErrors) -> u32 {
    let v = f.get(k).map(|s| s.trim()).unwrap_or("");
    if v.is_empty() {
        return 0;
    }
    v.parse().unwrap_or_else(|_| {
        e.push(k, "invalid", "Enter a whole number, like 12");
        0
    })
}

fn when(v: &str, path: &str, e: &mut ValidationErrors) -> Option<chrono::DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let t = parse_london(v);
    if t.is_none() {
        e.push(path, "invalid", format!("'{v}' is not a UK time like 2026-11-21 09:15"));
    }
    t
}

fn impact_from(f: &HashMap<String, String>) -> Result<(i64, ClinicalImpact), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let level = ImpactLevel::parse(f.get("level").map(String::as_str).unwrap_or("")).unwrap_or_else(|| {
        e.push("level", "required", "Choose the clinical impact");
        ImpactLevel::Unknown
    });
    let lines = |k: &str| -> Vec<String> {
        f.get(k)
            .map(|s| {
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut downtime = Vec::new();
    for (i, l) in lines("downtime").iter().enumerate() {
        let parts: Vec<&str> = l.split(';').map(str::trim).collect();
        let from = when(parts.get(1).copied().unwrap_or(""), "downtime", &mut e);
        let to = when(parts.get(2).copied().unwrap_or(""), "downtime", &mut e);
        match from {
            Some(from) => downtime.push(Downtime {
                procedure: parts[0].to_string(),
                from,
                to,
            }),
            None => e.push(
                "downtime",
                "invalid",
                format!("Line {}: give the procedure; from; to", i + 1),
            ),
        }
    }
    let mut safety_events = Vec::new();
    for (i, l) in lines("safety_events").iter().enumerate() {
        let parts: Vec<&str> = l.splitn(3, ';').map(str::trim).collect();
        match Harm::parse(&parts[0].to_ascii_lowercase()) {
            Some(harm) if parts.len() >= 2 => safety_events.push(SafetyEvent {
                description: parts[1].to_string(),
                harm,
                report: parts.get(2).filter(|r| !r.is_empty()).map(|r| r.to_string()),
                hazard: None,
            }),
            _ => e.push(
                "safety_events",
                "invalid",
                format!(
                    "Line {}: start with the harm (none, low, moderate, severe or death), then ; and what happened",
                    i + 1
                ),
            ),
        }
    }
    let impact = ClinicalImpact {
        level,
        summary: f.get("summary").cloned().unwrap_or_default(),
        services_affected: lines("services"),
        downtime,
        appointments_postponed: count(f, "appointments_postponed", &mut e),
        procedures_postponed: count(f, "procedures_postponed", &mut e),
        diagnostics_delayed: count(f, "diagnostics_delayed", &mut e),
        ambulance_diversions: count(f, "ambulance_diversions", &mut e),
        safety_events,
    };
    let version = f.get("expected_version").and_then(|v| v.parse().ok()).unwrap_or(0);
    e.into_result((version, impact))
}

async fn act(
    st: &AppState,
    who: &Principal,
    reference: &str,
    action: &str,
    f: &HashMap<String, String>,
    flags: &[String],
) -> Result<Option<String>, ApiError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match action {
        "marking" => {
            let tlp = Tlp::parse(&get("tlp"))
                .ok_or_else(|| ValidationErrors::one("tlp", "required", "Choose a TLP label"))?;
            let can = crate::api::need::<TransitionReports>(who)?;
            let r = crate::api::parse_reference(reference)?;
            st.store
                .cyber_change(&can, &r, candour_store::CyberChange::Marking(tlp), Utc::now())
                .await
                .map_err(ApiError::from)?;
        }
        "indicators" => {
            let req = api::AddIndicators {
                text: get("text"),
                indicators: vec![],
                is_ioc: f.contains_key("is_ioc"),
                tlp: Some(get("tlp")),
            };
            let done = api::add_indicators_for(st, who, reference, req).await?;
            return Ok(Some(format!(
                "/workspace/reports/{reference}/cyber?added={}&already={}#indicators",
                done.changed, done.already
            )));
        }
        "indicator" => {
            // Found by its value as listed (normalised the way it was recorded).
            let (_, v) = api::load_case(st, who, reference).await?;
            let typed = get("value");
            let wanted = typed.trim();
            let found = v
                .case
                .indicators
                .iter()
                .find(|i| {
                    i.value == wanted
                        || candour_ioc::Kind::parse(&i.kind)
                            .and_then(|k| candour_ioc::parse(k, wanted).ok())
                            .is_some_and(|n| n == i.value)
                })
                .ok_or_else(|| {
                    ValidationErrors::one(
                        "value",
                        "not_found",
                        "No indicator with that value is recorded on this report",
                    )
                })?;
            let is_ioc = match get("is_ioc").as_str() {
                "yes" => true,
                "no" => false,
                _ => {
                    return Err(ValidationErrors::one("is_ioc", "required", "Choose confirmed IOC or artifact").into())
                }
            };
            let tlp = Tlp::parse(&get("tlp"))
                .ok_or_else(|| ValidationErrors::one("tlp", "required", "Choose a TLP label"))?;
            let can = crate::api::need::<TransitionReports>(who)?;
            let r = crate::api::parse_reference(reference)?;
            st.store
                .cyber_change(
                    &can,
                    &r,
                    candour_store::CyberChange::UpdateIndicator {
                        id: found.id,
                        is_ioc,
                        tlp,
                    },
                    Utc::now(),
                )
                .await
                .map_err(ApiError::from)?;
        }
        "event" => {
            let mut e = ValidationErrors::default();
            let at = when(&get("event_at"), "event_at", &mut e);
            let discovered = when(&get("discovered_at"), "discovered_at", &mut e);
            if at.is_none() && e.is_empty() {
                e.push("event_at", "required", "Enter when it happened, like 2026-11-21 09:15");
            }
            let at = e.into_result(at)?.unwrap_or_else(Utc::now);
            api::add_event_for(
                st,
                who,
                reference,
                TimelineEvent {
                    event_at: at,
                    discovered_at: discovered,
                    summary: get("summary"),
                },
            )
            .await?;
        }
        "task" => {
            let due = get("due_on");
            let due_on = if due.trim().is_empty() {
                None
            } else {
                Some(
                    NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d")
                        .map_err(|_| ValidationErrors::one("due_on", "invalid", "Enter a date like 2026-11-30"))?,
                )
            };
            let task = Task {
                title: get("title"),
                assignee: Some(get("assignee")).filter(|a| !a.trim().is_empty()),
                status: TaskStatus::Open,
                due_on,
                outcome: None,
            };
            api::put_task_for(st, who, reference, None, None, task).await?;
        }
        "task-update" => {
            let (_, v) = api::load_case(st, who, reference).await?;
            let id: uuid::Uuid = get("task").parse().map_err(|_| ApiError::NotFound("task".into()))?;
            let current = v
                .case
                .tasks
                .iter()
                .find(|t| t.id == id)
                .ok_or_else(|| ApiError::NotFound("task".into()))?;
            let status = TaskStatus::parse(&get("status"))
                .ok_or_else(|| ValidationErrors::one("status", "required", "Choose a status"))?;
            let outcome = get("outcome");
            let task = Task {
                status,
                outcome: if outcome.trim().is_empty() {
                    current.task.outcome.clone()
                } else {
                    Some(outcome)
                },
                ..current.task.clone()
            };
            let expected = get("expected_revision").parse().ok();
            api::put_task_for(st, who, reference, Some(id), expected, task).await?;
        }
        "impact" => {
            let (expected_version, impact) = impact_from(f)?;
            api::record_impact_for(
                st,
                who,
                reference,
                api::ImpactUpdate {
                    expected_version,
                    impact,
                },
            )
            .await?;
        }
        "review" => {
            let version = get("version").parse().unwrap_or(0);
            api::review_impact_for(
                st,
                who,
                reference,
                api::ImpactReviewRequest {
                    version,
                    note: get("note"),
                },
            )
            .await?;
        }
        "disclosure" => {
            let agreed = get("agreed_publication");
            let agreed_publication = if agreed.trim().is_empty() {
                None
            } else {
                Some(NaiveDate::parse_from_str(agreed.trim(), "%Y-%m-%d").map_err(|_| {
                    ValidationErrors::one("agreed_publication", "invalid", "Enter a date like 2027-02-15")
                })?)
            };
            let facts = DisclosureFacts {
                exploited_in_wild: flags.iter().any(|x| x == "exploited"),
                patient_risk: flags.iter().any(|x| x == "patient_risk"),
                agreed_publication,
            };
            api::set_disclosure_for(st, who, reference, facts).await?;
        }
        "publish" => {
            let q = CsafQuery {
                profile: Some(get("profile")),
                fixed_version: Some(get("fixed_version")).filter(|v| !v.trim().is_empty()),
            };
            api::publish_for(st, who, reference, &q).await?;
        }
        _ => return Err(ApiError::NotFound("form".into())),
    }
    Ok(None)
}

/// `POST /workspace/reports/{ref}/cyber/{action}`: marking, indicators, event, task, task-update, impact,
/// review, disclosure or publish.
pub async fn post_form(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((reference, action)): Path<(String, String)>,
    Form(pairs): Form<CyberForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}/cyber");
    let Some(who) = staff(caller) else {
        return to_sign_in(&here);
    };
    let sent_csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
    if !csrf::check(&headers, sent_csrf) {
        return csrf_refused();
    }
    let flags: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "flags")
        .map(|(_, v)| v.clone())
        .collect();
    let fields: HashMap<String, String> = pairs.into_iter().filter(|(k, _)| k != "csrf" && k != "flags").collect();
    match act(&st, &who, &reference, &action, &fields, &flags).await {
        Ok(to) => see_other(to.as_deref().unwrap_or(&here)),
        Err(e) => {
            let form = if action == "task-update" {
                format!("task-{}", fields.get("task").cloned().unwrap_or_default())
            } else {
                action.clone()
            };
            let errors = errors_of(&e, &form);
            let mut fields = fields;
            fields.insert("flags".into(), flags.join(","));
            render(
                &st,
                &who,
                &headers,
                &reference,
                &fields,
                &form,
                None,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
