//! Clinical safety pages in the staff workspace (issue 6, item 10): safety projects, the hazard log with
//! filters and risk-matrix heat maps, a hazard's page with its history, reviews due, documents and their
//! approval, the compliance checklist, the CSO's own record, import, and triage from a report.
//! Every change goes through the same functions as the JSON API (`crate::safety`).

use super::workspace::{csrf_refused, error_summary, staff, to_sign_in, with_cookie};
use super::{c, csrf, esc, page, see_other, Page};
use crate::api::ReportView;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::hazards::{project_of, scheme, scheme_of, view};
use crate::safety::{self, Drafting};
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::clinical::compliance::{Answer, ComplianceAnswer};
use candour_core::clinical::{
    hazard_id, CsoRecord, DocumentKind, Hazard, HazardStatus, RiskScheme, TriageKind, REGISTRATION_BODIES,
};
use candour_core::identity::{ManageHazards, Principal, SignOffSafety, ViewHazards};
use candour_store::HazardRecord;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write;

/// Colours for ratings 1–5 (NHS palette: green, light green, warm yellow, orange, red), with text colour.
pub fn rating_colour(rating: u8) -> (&'static str, &'static str) {
    match rating {
        1 => ("#007f3b", "#ffffff"),
        2 => ("#78be20", "#212b32"),
        3 => ("#ffeb3b", "#212b32"),
        4 => ("#ed8b00", "#212b32"),
        _ => ("#d5281b", "#ffffff"),
    }
}

/// A risk matrix heat map: likelihood up the side (highest at the top), severity along the bottom, each
/// cell coloured by its rating and showing how many hazards sit there. Accessible: a title and a text
/// description; the counts are also in the hazard table.
pub fn heat_map(s: &RiskScheme, title: &str, cells: &HashMap<(String, String), usize>) -> String {
    let (cw, ch, left, top) = (92usize, 44usize, 110usize, 30usize);
    let (nl, ns) = (s.likelihood.len(), s.severity.len());
    let (w, h) = (left + cw * ns + 10, top + ch * nl + 40);
    let mut svg = String::new();
    let total: usize = cells.values().sum();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" class=\"candour-heatmap\"><title id=\"{id}-t\">{t}</title>\
         <desc id=\"{id}-d\">{total} hazards by likelihood and severity</desc>",
        id = esc(&title.to_lowercase().replace(' ', "-")),
        t = esc(title),
    );
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"18\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    for (row, li) in (0..nl).rev().enumerate() {
        let y = top + row * ch;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            left - 6,
            y + ch / 2 + 4,
            esc(&s.likelihood[li].label)
        );
        for si in 0..ns {
            let x = left + si * cw;
            let rating = s.matrix[li][si];
            let (bg, fg) = rating_colour(rating);
            let n = cells
                .get(&(s.likelihood[li].code.clone(), s.severity[si].code.clone()))
                .copied()
                .unwrap_or(0);
            let _ = write!(
                svg,
                "<g><title>{l} × {sv}: rating {rating}, {n} hazard{plural}</title>\
                 <rect x=\"{x}\" y=\"{y}\" width=\"{cw}\" height=\"{ch}\" fill=\"{bg}\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
                 <text x=\"{cx}\" y=\"{cy}\" font-size=\"{fs}\" text-anchor=\"middle\" fill=\"{fg}\"{bold}>{label}</text></g>",
                l = esc(&s.likelihood[li].label),
                sv = esc(&s.severity[si].label),
                plural = if n == 1 { "" } else { "s" },
                cx = x + cw / 2,
                cy = y + ch / 2 + 5,
                fs = if n > 0 { 16 } else { 11 },
                bold = if n > 0 { " font-weight=\"bold\"" } else { "" },
                label = if n > 0 { n.to_string() } else { format!("({rating})") },
            );
        }
    }
    for (si, sv) in s.severity.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            left + si * cw + cw / 2,
            top + nl * ch + 16,
            esc(&sv.label)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" font-style=\"italic\">Severity</text></svg>",
        left + cw * ns / 2,
        top + nl * ch + 34
    );
    svg
}

fn counts<'a>(hazards: impl Iterator<Item = &'a Hazard>, residual: bool) -> HashMap<(String, String), usize> {
    let mut m = HashMap::new();
    for h in hazards {
        let a = if residual { &h.residual } else { &h.initial };
        *m.entry((a.likelihood.clone(), a.severity.clone())).or_insert(0) += 1;
    }
    m
}

fn status_tag(s: HazardStatus) -> String {
    let (text, class) = match s {
        HazardStatus::Open => ("Open", "nhsuk-tag--orange"),
        HazardStatus::Transferred => ("Transferred", "nhsuk-tag--blue"),
        HazardStatus::Closed => ("Closed", "nhsuk-tag--grey"),
    };
    format!("<strong class=\"nhsuk-tag {class}\">{text}</strong>")
}

fn rating_cell(s: &RiskScheme, r: u8) -> String {
    let label = s.acceptability_of(r).map(|a| a.label.as_str()).unwrap_or("");
    format!(
        "<td class=\"nhsuk-table__cell\"><span class=\"candour-rating candour-rating--{}\">{r}</span> {}</td>",
        r.clamp(1, 5),
        esc(label)
    )
}

fn forbidden(what: &str) -> Response {
    super::error_page(StatusCode::FORBIDDEN, "You cannot see this", what)
}

fn trouble(e: &ApiError) -> Response {
    match e {
        ApiError::NotFound(_) => super::error_page(
            StatusCode::NOT_FOUND,
            "We cannot find that safety project",
            "Check the link. You see only your organisation's projects.",
        ),
        ApiError::Forbidden(m) => forbidden(m),
        other => {
            tracing::error!(error = %other, "safety page failed");
            super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            )
        }
    }
}

/// Errors from an API call as (field id, message) for the error summary.
fn field_errors(e: &ApiError, prefix: &str) -> Vec<(String, String)> {
    match e {
        ApiError::Invalid(v) => v
            .errors
            .iter()
            .map(|f| {
                (
                    format!("{prefix}-{}", f.path.replace(['.', '[', ']', ' '], "-")),
                    format!("{}: {}", f.path, f.message),
                )
            })
            .collect(),
        ApiError::Conflict(m) | ApiError::Forbidden(m) => vec![(prefix.to_string(), m.clone())],
        ApiError::NotFound(m) => vec![(prefix.to_string(), format!("{m} not found"))],
        other => {
            tracing::error!(error = %other, "safety form failed");
            vec![(prefix.to_string(), "Sorry, that did not save. Try again.".to_string())]
        }
    }
}

/// `GET /workspace/safety`: the safety projects the person can see.
pub async fn projects(State(st): State<AppState>, caller: Result<Caller, ApiError>, headers: HeaderMap) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/safety");
    };
    let Some(can) = who.can::<ViewHazards>() else {
        return forbidden("Your account has no role that lets it see hazard logs.");
    };
    let list = match st.store.safety_projects(&can).await {
        Ok(l) => l,
        Err(e) => return trouble(&e.into()),
    };
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let mut rows = String::new();
    for p in &list {
        let flag = if p.safety_case_review.is_some() {
            "<strong class=\"nhsuk-tag nhsuk-tag--red\">Safety case review needed</strong>"
        } else {
            ""
        };
        let hazards = st.store.hazards(&can, p.id).await.unwrap_or_default();
        let overdue = match safety::reviews_of(&st, &who, p, &hazards, Utc::now().date_naive()).await {
            Ok(r) => match r.due.iter().filter(|d| d.overdue).count() {
                0 => "None".to_string(),
                n => format!("<strong class=\"nhsuk-tag nhsuk-tag--orange\">{n} overdue</strong>"),
            },
            Err(_) => String::new(),
        };
        let _ = write!(
            rows,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a href=\"/workspace/safety/{id}\">{name}</a> {flag}</td>\
             <td class=\"nhsuk-table__cell\">{system}</td><td class=\"nhsuk-table__cell\">{std}</td>\
             <td class=\"nhsuk-table__cell\">{ods}</td><td class=\"nhsuk-table__cell\">{phase}</td>\
             <td class=\"nhsuk-table__cell\">{overdue}</td></tr>",
            id = p.id,
            name = esc(&p.project.name),
            system = esc(&p.project.system),
            std = p.project.standard.as_str(),
            ods = esc(&p.project.ods_code),
            phase = esc(&p.project.lifecycle_phase),
        );
    }
    let table = if list.is_empty() {
        "<p>There are no safety projects yet. A Clinical Safety Officer creates one through the API \
         (<code>POST /api/v1/safety-projects</code>).</p>"
            .to_string()
    } else {
        format!(
            "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption\">Safety projects ({})</caption>\
             <thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">Project</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">System</th><th scope=\"col\" class=\"nhsuk-table__header\">Standard</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Organisation</th><th scope=\"col\" class=\"nhsuk-table__header\">Phase</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Reviews</th></tr></thead>\
             <tbody class=\"nhsuk-table__body\">{rows}</tbody></table>",
            list.len()
        )
    };
    let cso_link = if who.can::<ManageHazards>().is_some() {
        "<p><a href=\"/workspace/cso\">Your Clinical Safety Officer record</a></p>"
    } else {
        ""
    };
    with_cookie(
        page(
            StatusCode::OK,
            Page {
                title: "Clinical safety",
                back: Some("/workspace"),
                main: format!(
                    "<h1>Clinical safety</h1>{}<p>Hazard logs kept to DCB0129 (manufacturers) and DCB0160 (deploying \
                     organisations).</p>{cso_link}{table}",
                    super::workspace::sign_out_form(&token)
                ),
                has_errors: false,
            },
        ),
        set,
    )
}

/// Filters for the hazard log.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    pub status: Option<String>,
    /// Residual rating at least.
    pub rating: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub q: Option<String>,
}

/// Which hazards a filter keeps.
pub fn filter<'a>(hazards: &'a [HazardRecord], q: &LogQuery) -> (Vec<&'a HazardRecord>, Vec<(String, String)>) {
    let mut errors = Vec::new();
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(HazardStatus::Open),
        Some("transferred") => Some(HazardStatus::Transferred),
        Some("closed") => Some(HazardStatus::Closed),
        Some(other) => {
            errors.push(("status".into(), format!("'{other}' is not open, transferred or closed")));
            None
        }
    };
    let rating = match q.rating.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(r) => match r.parse::<u8>() {
            Ok(n @ 1..=5) => Some(n),
            _ => {
                errors.push(("rating".into(), format!("'{r}' is not a rating from 1 to 5")));
                None
            }
        },
    };
    let kind = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let text =
        q.q.as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
    let kept = hazards
        .iter()
        .filter(|h| status.is_none_or(|s| h.hazard.status == s))
        .filter(|h| rating.is_none_or(|r| h.hazard.residual.rating >= r))
        .filter(|h| kind.is_none_or(|k| h.hazard.types.iter().any(|t| t == k)))
        .filter(|h| {
            text.as_deref().is_none_or(|t| {
                h.hazard_id.to_lowercase() == t
                    || h.hazard.name.to_lowercase().contains(t)
                    || h.hazard.description.to_lowercase().contains(t)
            })
        })
        .collect();
    (kept, errors)
}

/// The hazard log table (rendered directly: a log may hold thousands of hazards).
pub fn hazard_table(project: &str, s: &RiskScheme, hazards: &[&HazardRecord]) -> String {
    let mut out = String::with_capacity(hazards.len() * 600 + 1024);
    let _ = write!(
        out,
        "<table class=\"nhsuk-table candour-hazard-log\"><caption class=\"nhsuk-table__caption\">Hazards ({})</caption>\
         <thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
         <th scope=\"col\" class=\"nhsuk-table__header\">Hazard</th><th scope=\"col\" class=\"nhsuk-table__header\">Status</th>\
         <th scope=\"col\" class=\"nhsuk-table__header\">Initial risk</th><th scope=\"col\" class=\"nhsuk-table__header\">Residual risk</th>\
         <th scope=\"col\" class=\"nhsuk-table__header\">Controls in place</th><th scope=\"col\" class=\"nhsuk-table__header\">Review due</th></tr></thead>\
         <tbody class=\"nhsuk-table__body\">",
        hazards.len()
    );
    for h in hazards {
        let z = &h.hazard;
        let in_place = z.controls.iter().filter(|c| c.in_place()).count();
        let _ = write!(
            out,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\"><a href=\"/workspace/safety/{project}/hazards/{n}\">{id}</a> {name}</td>\
             <td class=\"nhsuk-table__cell\">{status}</td>{initial}{residual}<td class=\"nhsuk-table__cell\">{in_place} of {all}</td>\
             <td class=\"nhsuk-table__cell\">{due}</td></tr>",
            n = h.number,
            id = esc(&h.hazard_id),
            name = esc(&z.name),
            status = status_tag(z.status),
            initial = rating_cell(s, z.initial.rating),
            residual = rating_cell(s, z.residual.rating),
            all = z.controls.len(),
            due = z.review_due.map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The heavy part of the project page: both heat maps and the whole hazard table (benchmarked in
/// `candour bench hazards`).
pub fn log_html(project: &str, s: &RiskScheme, hazards: &[HazardRecord]) -> String {
    let all: Vec<&HazardRecord> = hazards.iter().collect();
    format!(
        "{}{}{}",
        heat_map(s, "Initial risk", &counts(hazards.iter().map(|h| &h.hazard), false)),
        heat_map(s, "Residual risk", &counts(hazards.iter().map(|h| &h.hazard), true)),
        hazard_table(project, s, &all)
    )
}

fn select(id: &str, name: &str, label: &str, options: &[(String, String)], current: Option<&str>) -> String {
    let mut o = String::new();
    for (v, t) in options {
        let sel = if current == Some(v.as_str()) { " selected" } else { "" };
        let _ = write!(o, "<option value=\"{}\"{sel}>{}</option>", esc(v), esc(t));
    }
    format!(
        "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"{id}\">{}</label>\
         <select class=\"nhsuk-select\" id=\"{id}\" name=\"{name}\">{o}</select></div>",
        esc(label)
    )
}

fn text_input(id: &str, name: &str, label: &str, value: &str) -> String {
    format!(
        "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"{id}\">{}</label>\
         <input class=\"nhsuk-input\" id=\"{id}\" name=\"{name}\" type=\"text\" value=\"{}\"></div>",
        esc(label),
        esc(value)
    )
}

fn textarea(id: &str, name: &str, label: &str, value: &str) -> String {
    format!(
        "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"{id}\">{}</label>\
         <textarea class=\"nhsuk-textarea\" id=\"{id}\" name=\"{name}\" rows=\"3\">{}</textarea></div>",
        esc(label),
        esc(value)
    )
}

fn button(text: &str, secondary: bool) -> String {
    let class = if secondary {
        "nhsuk-button nhsuk-button--secondary"
    } else {
        "nhsuk-button"
    };
    format!(
        "<button class=\"{class}\" data-module=\"nhsuk-button\" type=\"submit\">{}</button>",
        esc(text)
    )
}

fn levels(s: &RiskScheme, likelihood: bool) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "Not re-scored".to_string())];
    if likelihood {
        v.extend(s.likelihood.iter().map(|l| (l.code.clone(), l.label.clone())));
    } else {
        v.extend(s.severity.iter().map(|l| (l.code.clone(), l.label.clone())));
    }
    v
}

/// The project page again, with what went wrong in its error summary.
async fn project_errors(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    id: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    render_project(st, who, headers, id, &LogQuery::default(), errors, status).await
}

/// The whole project page.
#[allow(clippy::too_many_arguments)]
async fn render_project(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    id: &str,
    q: &LogQuery,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let d = match safety::gather(st, who, id).await {
        Ok(d) => d,
        Err(e) => return trouble(&e),
    };
    let s = &d.scheme;
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let today = Utc::now().date_naive();
    let (kept, mut filter_errors) = filter(&d.hazards, q);
    filter_errors.extend(errors.iter().cloned());
    let p = &d.project;
    let flag = p
        .safety_case_review
        .as_ref()
        .map(|why| {
            c(
                "warning-callout",
                json!({ "heading": "Safety case review needed", "html": format!(
                    "<p>The clinical risk has changed since the last safety case report was issued: {}.</p>\
                     <p>Review the safety case and issue a new Clinical Safety Case Report (DCB0129 §7.2.3, §7.3.3).</p>",
                    esc(why)) }),
            )
        })
        .unwrap_or_default();
    let summary = format!(
        "<dl class=\"nhsuk-summary-list\">{}</dl>",
        [
            ("System", p.project.system.as_str()),
            ("Standard", p.project.standard.as_str()),
            ("Organisation", p.project.ods_code.as_str()),
            ("Intended use", p.project.intended_use.as_str()),
            ("Lifecycle phase", p.project.lifecycle_phase.as_str()),
            ("Risk scheme", s.name.as_str()),
        ]
        .iter()
        .map(|(k, v)| {
            format!(
                "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">{k}</dt>\
                 <dd class=\"nhsuk-summary-list__value\">{}</dd></div>",
                esc(v)
            )
        })
        .collect::<String>()
    );
    let maps = format!(
        "<h2>Risk matrix</h2><p>How many hazards sit in each cell, before and after controls. The rating in each cell \
         comes from the scheme's matrix, not from likelihood × severity.</p><div class=\"candour-heatmaps\">{}{}</div>",
        heat_map(s, "Initial risk", &counts(d.hazards.iter().map(|h| &h.hazard), false)),
        heat_map(s, "Residual risk", &counts(d.hazards.iter().map(|h| &h.hazard), true)),
    );
    let type_options: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_string()))
        .chain(
            crate::hazards::types()
                .map(|t| t.group.iter().flat_map(|g| g.types.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .chain(p.project.custom_hazard_types.iter().cloned())
                .map(|t| (t.clone(), t)),
        )
        .collect();
    let filters = format!(
        "<form method=\"get\" action=\"/workspace/safety/{id}\" novalidate class=\"candour-filters\"><h2>Hazard log</h2>{}{}{}{}{}</form>",
        select(
            "status",
            "status",
            "Status",
            &[
                (String::new(), "Any".into()),
                ("open".into(), "Open".into()),
                ("transferred".into(), "Transferred".into()),
                ("closed".into(), "Closed".into())
            ],
            q.status.as_deref()
        ),
        select(
            "rating",
            "rating",
            "Residual risk at least",
            &std::iter::once((String::new(), "Any".to_string()))
                .chain((1..=5).map(|r| (r.to_string(), r.to_string())))
                .collect::<Vec<_>>(),
            q.rating.as_deref()
        ),
        select("type", "type", "Hazard type", &type_options, q.kind.as_deref()),
        text_input("q", "q", "Words or hazard id", q.q.as_deref().unwrap_or("")),
        button("Filter", true),
    );
    let add = if who.can::<ManageHazards>().is_some() {
        format!("<p><a href=\"/workspace/safety/{id}/hazards/new\">Add a hazard</a></p>")
    } else {
        String::new()
    };
    let table = format!("{add}{}", hazard_table(&p.id.to_string(), s, &kept));
    let reviews = match safety::reviews_of(st, who, p, &d.hazards, today).await {
        Ok(r) => r,
        Err(e) => return trouble(&e),
    };
    let mut due_rows = String::new();
    for r in reviews.due.iter().take(50) {
        let tag = if r.overdue {
            "<strong class=\"nhsuk-tag nhsuk-tag--red\">Overdue</strong>"
        } else {
            ""
        };
        let _ = write!(
            due_rows,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{} {tag}</td><td class=\"nhsuk-table__cell\">{}</td>\
             <td class=\"nhsuk-table__cell\">{}</td></tr>",
            esc(&r.label),
            r.due_on,
            r.last_done.map(|d| d.to_string()).unwrap_or_else(|| "Never".into())
        );
    }
    let manage = who.can::<ManageHazards>().is_some();
    let review_form = if manage {
        let mut subjects = vec![
            ("hazard_log".to_string(), "Hazard log".to_string()),
            ("controls".to_string(), "Controls and their evidence".to_string()),
            ("crmp".to_string(), "Clinical risk management plan".to_string()),
        ];
        subjects.extend(
            d.hazards
                .iter()
                .filter(|h| h.hazard.status != HazardStatus::Closed)
                .map(|h| {
                    (
                        format!("hazard:{}", h.number),
                        format!("{} {}", h.hazard_id, h.hazard.name),
                    )
                }),
        );
        format!(
            "<form method=\"post\" action=\"/workspace/safety/{id}/reviews\" novalidate><h3>Record a review</h3>{}{}{}{}</form>",
            csrf::field(&token),
            select("review-subject", "subject", "What was reviewed", &subjects, None),
            textarea("review-outcome", "outcome", "What the review found and what changed", ""),
            button("Record review", false)
        )
    } else {
        String::new()
    };
    let overdue = reviews.due.iter().filter(|r| r.overdue).count();
    let reviews_html = format!(
        "<h2>Reviews due</h2><p>{overdue} overdue. Cadence: hazard log every {} days, controls every {} days, CRMP every {} days.</p>\
         <table class=\"nhsuk-table\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
         <th scope=\"col\" class=\"nhsuk-table__header\">Review</th><th scope=\"col\" class=\"nhsuk-table__header\">Due</th>\
         <th scope=\"col\" class=\"nhsuk-table__header\">Last done</th></tr></thead><tbody class=\"nhsuk-table__body\">{due_rows}</tbody></table>{review_form}",
        p.project.review_every_days, p.project.controls_review_every_days, p.project.crmp_review_every_days
    );
    let docs_html = documents_section(st, who, &d, &token).await;
    let import_form = if manage {
        format!(
            "<h2>Import a hazard log</h2><p>A spreadsheet in the NHS hazard log layout (XLSX or CSV, as exported here). \
             Every row is checked; nothing is imported unless every row is right. For a DCB0160 project, name the \
             supplier to adopt their DCB0129 log: their hazards keep their provenance and their controls for you to \
             implement become your actions.</p>\
             <form method=\"post\" action=\"/workspace/safety/{id}/import?csrf={t}\" enctype=\"multipart/form-data\" novalidate>\
             <div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"import-file\">Spreadsheet</label>\
             <input class=\"nhsuk-file-upload\" id=\"import-file\" name=\"file\" type=\"file\" accept=\".xlsx,.csv\"></div>{}{}{}</form>",
            text_input("import-supplier", "supplier", "Supplier (only for a supplier's log)", ""),
            text_input("import-document", "document", "Supplier's document and version", ""),
            button("Import", true),
            t = esc(&token),
        )
    } else {
        String::new()
    };
    let exports = format!(
        "<h2>Export</h2><ul class=\"nhsuk-list\"><li><a href=\"/api/v1/safety-projects/{id}/hazard-log?format=xlsx\">Hazard log (XLSX, NHS template columns)</a></li>\
         <li><a href=\"/api/v1/safety-projects/{id}/hazard-log?format=csv\">Hazard log (CSV)</a></li>\
         <li><a href=\"/api/v1/safety-projects/{id}/hazard-log?format=json\">Hazard log (JSON)</a></li>\
         <li><a href=\"/workspace/safety/{id}/compliance\">Compliance checklist ({})</a></li></ul>",
        p.project.standard.as_str()
    );
    with_cookie(
        page(
            status,
            Page {
                title: &p.project.name,
                back: Some("/workspace/safety"),
                main: format!(
                    "{}<h1>{}</h1>{flag}{summary}{maps}{filters}{table}{reviews_html}{docs_html}{exports}{import_form}",
                    error_summary(&filter_errors),
                    esc(&p.project.name)
                ),
                has_errors: !filter_errors.is_empty(),
            },
        ),
        set,
    )
}

async fn documents_section(st: &AppState, who: &Principal, d: &Drafting, token: &str) -> String {
    let id = d.project.id;
    let mut issued = String::new();
    for doc in &d.issued {
        let k = doc.kind.as_str();
        let _ = write!(
            issued,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{} v{}</td><td class=\"nhsuk-table__cell\">{} ({})</td>\
             <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\"><code>{}…</code></td>\
             <td class=\"nhsuk-table__cell\"><a href=\"/api/v1/safety-projects/{id}/documents/{k}/{v}?format=html\">HTML</a> \
             <a href=\"/api/v1/safety-projects/{id}/documents/{k}/{v}?format=pdf\">PDF</a></td></tr>",
            doc.kind.title(),
            doc.version,
            esc(&doc.approved_by),
            esc(&doc.registration),
            candour_core::time::london(doc.approved_at),
            esc(&doc.content_hash[..12.min(doc.content_hash.len())]),
            v = doc.version,
        );
    }
    let issued = if issued.is_empty() {
        "<p>Nothing has been issued yet.</p>".to_string()
    } else {
        format!(
            "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption\">Issued (approved) documents</caption>\
             <thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th scope=\"col\" class=\"nhsuk-table__header\">Document</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Approved by</th><th scope=\"col\" class=\"nhsuk-table__header\">When</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Content hash</th><th scope=\"col\" class=\"nhsuk-table__header\">Read</th></tr></thead>\
             <tbody class=\"nhsuk-table__body\">{issued}</tbody></table>"
        )
    };
    let may_sign = who.can::<SignOffSafety>().is_some();
    let _ = (st, token);
    let mut drafts = String::new();
    for kind in [DocumentKind::Cscr, DocumentKind::Crmp, DocumentKind::HazardLog] {
        let k = kind.as_str();
        let v = d.next_version(kind);
        let approve = if may_sign {
            format!(" · <a href=\"/workspace/safety/{id}/approve/{k}\">Review and approve</a>")
        } else {
            String::new()
        };
        let _ = write!(
            drafts,
            "<li>{title} v{v} (draft): <a href=\"/api/v1/safety-projects/{id}/documents/{k}/draft?format=html\">read (HTML)</a> · \
             <a href=\"/api/v1/safety-projects/{id}/documents/{k}/draft?format=pdf\">PDF</a>{approve}</li>",
            title = kind.title()
        );
    }
    format!("<h2>Documents</h2>{issued}<ul class=\"nhsuk-list\">{drafts}</ul>")
}

/// `GET /workspace/safety/{id}`
pub async fn project(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let here = format!("/workspace/safety/{id}");
    let Some(who) = staff(caller) else {
        return to_sign_in(&here);
    };
    let Query(q) = q.unwrap_or_default();
    render_project(&st, &who, &headers, &id, &q, &[], StatusCode::OK).await
}

/// A form post: its CSRF token and fields.
#[derive(Debug, Deserialize)]
pub struct SafetyForm {
    pub csrf: Option<String>,
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

#[allow(clippy::result_large_err)]
fn posting(
    caller: Result<Caller, ApiError>,
    headers: &HeaderMap,
    sent: Option<&str>,
    here: &str,
) -> Result<Principal, Response> {
    let Some(who) = staff(caller) else {
        return Err(to_sign_in(here));
    };
    if !csrf::check(headers, sent) {
        return Err(csrf_refused());
    }
    Ok(who)
}

/// `POST /workspace/safety/{id}/reviews`
pub async fn add_review(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let here = format!("/workspace/safety/{id}");
    let who = match posting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let r = safety::ReviewDone {
        subject: f.fields.get("subject").cloned().unwrap_or_default(),
        done_on: None,
        outcome: f.fields.get("outcome").cloned().unwrap_or_default(),
    };
    match safety::record_review(&st, &who, &id, r).await {
        Ok(_) => see_other(&here),
        Err(e) => {
            let errors = field_errors(&e, "review");
            project_errors(&st, &who, &headers, &id, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /workspace/safety/{id}/approve/{kind}`: the draft as it stands, its hash, and (for a CSO whose record
/// is complete) the form that approves exactly this draft.
pub async fn approval_page(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((id, kind)): Path<(String, String)>,
) -> Response {
    let here = format!("/workspace/safety/{id}/approve/{kind}");
    let Some(who) = staff(caller) else {
        return to_sign_in(&here);
    };
    render_approval(&st, &who, &headers, &id, &kind, &[], StatusCode::OK).await
}

async fn render_approval(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    id: &str,
    kind: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let Some(kind) = DocumentKind::parse(kind) else {
        return trouble(&ApiError::NotFound("document".into()));
    };
    if who.can::<SignOffSafety>().is_none() {
        return forbidden("Only a Clinical Safety Officer approves safety documents.");
    }
    let d = match safety::gather(st, who, id).await {
        Ok(d) => d,
        Err(e) => return trouble(&e),
    };
    let me = super::workspace::username_of(st, who).await;
    let signer = d.csos.iter().find(|c| c.username == me);
    let v = d.next_version(kind);
    let doc = match d.draft(kind, v, Utc::now().date_naive(), signer) {
        Ok(doc) => doc,
        Err(e) => return trouble(&e),
    };
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let k = kind.as_str();
    let pid = d.project.id;
    let meta: String = doc
        .meta
        .iter()
        .map(|(k, v)| {
            format!(
                "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">{}</dt><dd class=\"nhsuk-summary-list__value\">{}</dd></div>",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let sections: String = doc
        .sections
        .iter()
        .map(|s| format!("<li>{} {}</li>", esc(&s.number), esc(&s.title)))
        .collect();
    let hash = doc.content_hash();
    let also = if kind == DocumentKind::Cscr {
        "<p>Approving it also issues the hazard log as it stands now, to go with it (DCB0129 §3.3.3).</p>"
    } else {
        ""
    };
    let form = match signer {
        Some(cso) if cso.missing().is_empty() => format!(
            "{also}<form method=\"post\" action=\"/workspace/safety/{pid}/approve/{k}\" novalidate>{}\
             <input type=\"hidden\" name=\"content_hash\" value=\"{hash}\">{}</form>",
            csrf::field(&token),
            button(&format!("Approve {} v{v} as {} ({})", kind.title(), cso.name, cso.registration()), false)
        ),
        Some(cso) => format!(
            "<p>You cannot approve yet: your CSO record is missing {}. <a href=\"/workspace/cso\">Complete your record</a>.</p>",
            esc(&cso.missing().join(", "))
        ),
        None => "<p>You cannot approve yet: <a href=\"/workspace/cso\">add your CSO record</a> first.</p>".to_string(),
    };
    with_cookie(
        page(
            status,
            Page {
                title: &format!("Approve {} v{v}", kind.title()),
                back: Some(&format!("/workspace/safety/{pid}")),
                main: format!(
                    "{}<span class=\"nhsuk-caption-l\">{}</span><h1>Approve {} v{v}</h1>\
                     <p>Read the whole draft before approving: <a href=\"/api/v1/safety-projects/{pid}/documents/{k}/draft?format=html\">HTML</a> · \
                     <a href=\"/api/v1/safety-projects/{pid}/documents/{k}/draft?format=pdf\">PDF</a>. What you approve is stored with your name, \
                     registration, the time and this content hash, and never changes; if the records change before you approve, you are asked to read it again.</p>\
                     <p>Content hash: <code>{hash}</code></p><dl class=\"nhsuk-summary-list\">{meta}</dl><h2>Sections</h2><ol>{sections}</ol>{form}",
                    error_summary(errors),
                    esc(&d.project.project.name),
                    kind.title(),
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// `POST /workspace/safety/{id}/approve/{kind}`
pub async fn approve(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((id, kind)): Path<(String, String)>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let here = format!("/workspace/safety/{id}");
    let who = match posting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(kind) = DocumentKind::parse(&kind) else {
        return trouble(&ApiError::NotFound("document".into()));
    };
    let hash = f.fields.get("content_hash").cloned().unwrap_or_default();
    match safety::approve_draft(&st, &who, &id, kind, &hash).await {
        Ok(_) => see_other(&here),
        Err(e) => {
            let status = if matches!(e, ApiError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors = field_errors(&e, "approve");
            render_approval(&st, &who, &headers, &id, kind.as_str(), &errors, status).await
        }
    }
}

/// `POST /workspace/safety/{id}/import?csrf=` (multipart: file, supplier, document).
pub async fn import(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<SafetyForm>,
    mut form: Multipart,
) -> Response {
    let here = format!("/workspace/safety/{id}");
    let who = match posting(caller, &headers, q.csrf.as_deref(), &here) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (mut file, mut name, mut supplier, mut document) = (Vec::new(), String::new(), String::new(), String::new());
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let field_name = field.name().unwrap_or_default().to_string();
                if field_name == "file" {
                    name = field.file_name().unwrap_or_default().to_lowercase();
                    match field.bytes().await {
                        Ok(b) => file = b.to_vec(),
                        Err(_) => break,
                    }
                } else {
                    let v = field.text().await.unwrap_or_default();
                    match field_name.as_str() {
                        "supplier" => supplier = v.trim().to_string(),
                        "document" => document = v.trim().to_string(),
                        _ => {}
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                let errors = vec![(
                    "import-file".to_string(),
                    "The upload did not arrive whole: try again".to_string(),
                )];
                return project_errors(&st, &who, &headers, &id, &errors, StatusCode::BAD_REQUEST).await;
            }
        }
    }
    if file.is_empty() {
        let errors = vec![("import-file".to_string(), "Choose a spreadsheet to import".to_string())];
        return project_errors(&st, &who, &headers, &id, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let format = if name.ends_with(".csv") {
        candour_sheets::Format::Csv
    } else {
        candour_sheets::Format::Xlsx
    };
    let doc = if document.is_empty() {
        name.clone()
    } else {
        document.clone()
    };
    let supplier_pair = (!supplier.is_empty()).then_some((supplier.as_str(), doc.as_str()));
    let source = if supplier.is_empty() {
        format!("spreadsheet {name}")
    } else {
        format!("supplier {supplier}: {doc}")
    };
    match safety::import_sheet(&st, &who, &id, &file, format, supplier_pair, &source).await {
        Ok(_) => see_other(&here),
        Err(e) => {
            let errors = field_errors(&e, "import");
            project_errors(&st, &who, &headers, &id, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /workspace/safety/{id}/hazards/{n}`: a hazard, its controls, the incidents linked to it and its history.
pub async fn hazard(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    Path((id, number)): Path<(String, i64)>,
) -> Response {
    let here = format!("/workspace/safety/{id}/hazards/{number}");
    let Some(who) = staff(caller) else {
        return to_sign_in(&here);
    };
    let (p, can) = match (project_of(&st, &who, &id).await, view(&who)) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return trouble(&e),
    };
    let s = match scheme_of(&st, &p).await {
        Ok(s) => s,
        Err(e) => return trouble(&e),
    };
    let history = match st.store.hazard_history(&can, p.id, number).await {
        Ok(h) if !h.is_empty() => h,
        Ok(_) => return trouble(&ApiError::NotFound("hazard".into())),
        Err(e) => return trouble(&e.into()),
    };
    let Some(current) = history.last() else {
        return trouble(&ApiError::NotFound("hazard".into()));
    };
    let h = &current.hazard;
    let (il, is) = s.labels(&h.initial);
    let (rl, rs) = s.labels(&h.residual);
    let rows: Vec<(&str, String)> = vec![
        ("Status", h.status_label().to_string()),
        ("Description", h.description.clone()),
        ("Possible causes", h.causes.join("; ")),
        ("Effects", h.effects.clone()),
        ("Potential clinical impact", h.clinical_impact.clone()),
        ("Hazard types", h.types.join(", ")),
        ("Existing controls", h.existing_controls.join("; ")),
        (
            "Initial risk",
            format!("{il} likelihood × {is} severity: rating {}", h.initial.rating),
        ),
        (
            "Residual risk",
            format!("{rl} likelihood × {rs} severity: rating {}", h.residual.rating),
        ),
        ("ALARP justification", h.alarp_justification.clone()),
        ("Owner", h.owner.clone()),
        ("Raised", h.raised_on.map(|d| d.to_string()).unwrap_or_default()),
        ("Target date", h.target_date.map(|d| d.to_string()).unwrap_or_default()),
        ("Review due", h.review_due.map(|d| d.to_string()).unwrap_or_default()),
        (
            "Provenance",
            h.provenance
                .as_ref()
                .map(|p| {
                    format!(
                        "{} hazard {} in {} (imported {})",
                        p.supplier, p.source_hazard_id, p.source_document, p.imported_on
                    )
                })
                .unwrap_or_default(),
        ),
        (
            "Scheme",
            format!("{} v{}", h.initial.scheme.id, h.initial.scheme.version),
        ),
    ];
    let summary: String = rows
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            format!(
                "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">{k}</dt><dd class=\"nhsuk-summary-list__value\">{}</dd></div>",
                esc(v)
            )
        })
        .collect();
    let mut controls = String::new();
    for (i, c) in h.controls.iter().enumerate() {
        let _ = write!(
            controls,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{}. {}</td><td class=\"nhsuk-table__cell\">{:?}</td>\
             <td class=\"nhsuk-table__cell\">{:?}</td><td class=\"nhsuk-table__cell\">{:?}{}</td><td class=\"nhsuk-table__cell\">{}</td></tr>",
            i + 1,
            esc(&c.description),
            c.kind,
            c.implementer,
            c.state,
            if c.effectiveness_verified { ", shown to work" } else { "" },
            esc(&c.evidence.join(", ")),
        );
    }
    let controls = if controls.is_empty() {
        "<p>No additional controls.</p>".to_string()
    } else {
        format!(
            "<table class=\"nhsuk-table\"><caption class=\"nhsuk-table__caption\">Additional controls</caption><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
             <th scope=\"col\" class=\"nhsuk-table__header\">Control</th><th scope=\"col\" class=\"nhsuk-table__header\">Kind</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Implementer</th><th scope=\"col\" class=\"nhsuk-table__header\">State</th>\
             <th scope=\"col\" class=\"nhsuk-table__header\">Evidence</th></tr></thead><tbody class=\"nhsuk-table__body\">{controls}</tbody></table>"
        )
    };
    let links = st.store.hazard_links(&can, Some(p.id), None).await.unwrap_or_default();
    let mut inc = String::new();
    for l in links.iter().filter(|l| l.number == number) {
        let _ = write!(
            inc,
            "<li><a href=\"/workspace/reports/{r}\">{r}</a>: {k}{c}{changed} ({at}) {note}</li>",
            r = esc(&l.reference),
            k = match l.kind {
                TriageKind::NewHazard => "raised this hazard",
                TriageKind::Realises => "realised this hazard",
                TriageKind::ControlFailed => "a control failed",
            },
            c = l.control_index.map(|c| format!(" (control {c})")).unwrap_or_default(),
            changed = if l.risk_changed { ", risk changed" } else { "" },
            at = candour_core::time::london(l.at),
            note = esc(&l.note),
        );
    }
    let incidents = if inc.is_empty() {
        "<p>No incidents linked.</p>".to_string()
    } else {
        format!("<ul>{inc}</ul>")
    };
    let mut hist = String::new();
    for r in history.iter().rev() {
        let _ = write!(
            hist,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td>\
             <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{} → {}</td><td class=\"nhsuk-table__cell\">{}</td></tr>",
            r.revision,
            candour_core::time::london(r.at),
            esc(&r.actor),
            r.hazard.initial.rating,
            r.hazard.residual.rating,
            r.hazard.status_label(),
        );
    }
    let id_text = hazard_id(number);
    let change = if who.can::<ManageHazards>().is_some() {
        format!("<p><a href=\"/workspace/safety/{id}/hazards/{number}/edit\">Change this hazard</a></p>")
    } else {
        String::new()
    };
    page(
        StatusCode::OK,
        Page {
            title: &format!("{id_text} {}", h.name),
            back: Some(&format!("/workspace/safety/{id}")),
            main: format!(
                "<span class=\"nhsuk-caption-l\">{} · {}</span><h1>{} {}</h1>{change}<dl class=\"nhsuk-summary-list\">{summary}</dl>{controls}\
                 <h2>Incidents</h2>{incidents}<h2>History</h2><p>Hazards are never deleted; every version is kept.</p>\
                 <table class=\"nhsuk-table\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
                 <th scope=\"col\" class=\"nhsuk-table__header\">Revision</th><th scope=\"col\" class=\"nhsuk-table__header\">When</th>\
                 <th scope=\"col\" class=\"nhsuk-table__header\">Who</th><th scope=\"col\" class=\"nhsuk-table__header\">Initial → residual rating</th>\
                 <th scope=\"col\" class=\"nhsuk-table__header\">Status</th></tr></thead><tbody class=\"nhsuk-table__body\">{hist}</tbody></table>",
                esc(&p.project.name),
                esc(&current.actor),
                esc(&id_text),
                esc(&h.name),
            ),
            has_errors: false,
        },
    )
}

async fn render_compliance(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    id: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let d = match safety::gather(st, who, id).await {
        Ok(d) => d,
        Err(e) => return trouble(&e),
    };
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let mut rows = String::new();
    for r in &d.compliance {
        let _ = write!(
            rows,
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td>\
             <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td></tr>",
            esc(&r.clause),
            esc(&r.text),
            r.answer.map(|a| a.label()).unwrap_or("Not answered"),
            esc(&r.evidence.join(", ")),
            esc(&r.note),
        );
    }
    let form = if who.can::<ManageHazards>().is_some() {
        let clauses: Vec<(String, String)> = d
            .compliance
            .iter()
            .map(|r| (r.clause.clone(), format!("{} {}", r.clause, r.text)))
            .collect();
        let answers: Vec<(String, String)> = [
            Answer::Yes,
            Answer::No,
            Answer::NotApplicable,
            Answer::Partial,
            Answer::Awaiting,
        ]
        .iter()
        .map(|a| (a.label().to_string(), a.label().to_string()))
        .collect();
        format!(
            "<form method=\"post\" action=\"/workspace/safety/{id}/compliance\" novalidate><h2>Answer a requirement</h2>{}{}{}{}{}{}</form>",
            csrf::field(&token),
            select("compliance-clause", "clause", "Requirement", &clauses, None),
            select("compliance-answer", "answer", "Answer", &answers, None),
            textarea("compliance-evidence", "evidence", "Evidence links (one per line)", ""),
            textarea("compliance-note", "note", "Note", ""),
            button("Save answer", false)
        )
    } else {
        String::new()
    };
    with_cookie(
        page(
            status,
            Page {
                title: "Compliance checklist",
                back: Some(&format!("/workspace/safety/{id}")),
                main: format!(
                    "{}<span class=\"nhsuk-caption-l\">{}</span><h1>{} compliance checklist</h1>\
                     <p><a href=\"/api/v1/safety-projects/{id}/compliance?format=csv\">Download (CSV)</a></p>\
                     <table class=\"nhsuk-table\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
                     <th scope=\"col\" class=\"nhsuk-table__header\">Clause</th><th scope=\"col\" class=\"nhsuk-table__header\">Requirement</th>\
                     <th scope=\"col\" class=\"nhsuk-table__header\">Answer</th><th scope=\"col\" class=\"nhsuk-table__header\">Evidence</th>\
                     <th scope=\"col\" class=\"nhsuk-table__header\">Note</th></tr></thead><tbody class=\"nhsuk-table__body\">{rows}</tbody></table>{form}",
                    error_summary(errors),
                    esc(&d.project.project.name),
                    d.project.project.standard.as_str(),
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// `GET /workspace/safety/{id}/compliance`
pub async fn compliance(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in(&format!("/workspace/safety/{id}/compliance"));
    };
    render_compliance(&st, &who, &headers, &id, &[], StatusCode::OK).await
}

/// `POST /workspace/safety/{id}/compliance`
pub async fn answer(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let here = format!("/workspace/safety/{id}/compliance");
    let who = match posting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let get = |k: &str| f.fields.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let Some(answer) = Answer::parse(&get("answer")) else {
        let errors = vec![("compliance-answer".to_string(), "Choose an answer".to_string())];
        return render_compliance(&st, &who, &headers, &id, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let a = ComplianceAnswer {
        clause: get("clause"),
        answer,
        evidence: get("evidence")
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        note: get("note"),
    };
    match safety::answer(&st, &who, &id, a).await {
        Ok(_) => see_other(&here),
        Err(e) => {
            render_compliance(
                &st,
                &who,
                &headers,
                &id,
                &field_errors(&e, "compliance"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn render_cso(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    sent: Option<&CsoRecord>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    if who.can::<ManageHazards>().is_none() {
        return forbidden("Only a Clinical Safety Officer keeps a CSO record.");
    }
    let me = super::workspace::username_of(st, who).await;
    let mine = match sent {
        Some(r) => Some(r.clone()),
        None => match view(who) {
            Ok(can) => st
                .store
                .cso_records(&can)
                .await
                .unwrap_or_default()
                .into_iter()
                .find(|r| r.username == me),
            Err(_) => None,
        },
    };
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let r = mine.clone().unwrap_or(CsoRecord {
        ods_code: String::new(),
        name: match who {
            Principal::Known { name, .. } => name.clone(),
            Principal::Anonymous => String::new(),
        },
        username: me.clone(),
        email: String::new(),
        profession: String::new(),
        registration_body: String::new(),
        registration_number: String::new(),
        training_evidence: Vec::new(),
        appointed_on: None,
    });
    let missing = mine.as_ref().map(|m| m.missing()).unwrap_or_default();
    let state = match &mine {
        None => "<p>You have no CSO record yet. Until it is complete you cannot approve safety documents.</p>".to_string(),
        Some(_) if missing.is_empty() => "<p><strong class=\"nhsuk-tag nhsuk-tag--green\">Complete</strong> You can approve safety documents.</p>".to_string(),
        Some(_) => format!(
            "<p><strong class=\"nhsuk-tag nhsuk-tag--orange\">Incomplete</strong> Still needed before you can approve: {}.</p>",
            esc(&missing.join(", "))
        ),
    };
    let bodies: Vec<(String, String)> = std::iter::once((String::new(), "Choose".to_string()))
        .chain(REGISTRATION_BODIES.iter().map(|b| ((*b).to_string(), (*b).to_string())))
        .collect();
    let form = format!(
        "<form method=\"post\" action=\"/workspace/cso\" novalidate>{}{}{}{}{}{}{}{}{}{}{}</form>",
        csrf::field(&token),
        text_input("cso-ods_code", "ods_code", "Organisation (ODS code) you are CSO for", &r.ods_code),
        text_input("cso-name", "name", "Your name", &r.name),
        text_input("cso-email", "email", "Email for review reminders (optional)", &r.email),
        text_input("cso-profession", "profession", "Profession (for example Doctor, Nurse, Pharmacist)", &r.profession),
        select("cso-registration_body", "registration_body", "Professional registration body", &bodies, Some(&r.registration_body)),
        text_input("cso-registration_number", "registration_number", "Registration number", &r.registration_number),
        textarea("cso-training_evidence", "training_evidence", "Clinical safety training evidence (one per line)", &r.training_evidence.join("\n")),
        text_input("cso-appointed_on", "appointed_on", "Date appointed as CSO (YYYY-MM-DD)", &r.appointed_on.map(|d| d.to_string()).unwrap_or_default()),
        "<p>Candour records what you state here. It never records a registration on anyone else's behalf: each CSO keeps their own record.</p>",
        button("Save my record", false),
    );
    with_cookie(
        page(
            status,
            Page {
                title: "Your Clinical Safety Officer record",
                back: Some("/workspace/safety"),
                main: format!(
                    "{}<h1>Your Clinical Safety Officer record</h1>{state}{form}",
                    error_summary(errors)
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// `GET /workspace/cso`
pub async fn cso(State(st): State<AppState>, caller: Result<Caller, ApiError>, headers: HeaderMap) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/cso");
    };
    render_cso(&st, &who, &headers, None, &[], StatusCode::OK).await
}

/// `POST /workspace/cso`
pub async fn save_cso(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Form(f): Form<SafetyForm>,
) -> Response {
    let who = match posting(caller, &headers, f.csrf.as_deref(), "/workspace/cso") {
        Ok(w) => w,
        Err(r) => return r,
    };
    let get = |k: &str| f.fields.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let appointed = get("appointed_on");
    let appointed_on = if appointed.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(&appointed, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let errors = vec![(
                    "cso-appointed_on".to_string(),
                    "Enter the date like 2026-04-01".to_string(),
                )];
                return render_cso(&st, &who, &headers, None, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    };
    let rec = CsoRecord {
        ods_code: get("ods_code"),
        name: get("name"),
        username: super::workspace::username_of(&st, &who).await,
        email: get("email"),
        profession: get("profession"),
        registration_body: get("registration_body"),
        registration_number: get("registration_number"),
        training_evidence: get("training_evidence")
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        appointed_on,
    };
    match safety::save_cso(&st, &who, rec.clone()).await {
        Ok(_) => see_other("/workspace/cso"),
        Err(e) => {
            render_cso(
                &st,
                &who,
                &headers,
                Some(&rec),
                &field_errors(&e, "cso"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The triage section of a report's page: the hazards it is linked to and, for a CSO, the three questions.
pub async fn triage_section(st: &AppState, who: &Principal, v: &ReportView, token: &str) -> String {
    let Some(can) = who.can::<ViewHazards>() else {
        return String::new();
    };
    let Ok(report_id) = uuid::Uuid::parse_str(&v.id) else {
        return String::new();
    };
    let links = st
        .store
        .hazard_links(&can, None, Some(report_id))
        .await
        .unwrap_or_default();
    let projects = st.store.safety_projects(&can).await.unwrap_or_default();
    let mut out = String::from("<h2>Clinical safety triage</h2>");
    if links.is_empty() {
        out.push_str("<p>Not yet triaged against a hazard log.</p>");
    } else {
        out.push_str("<ul>");
        for l in &links {
            let name = projects
                .iter()
                .find(|p| p.id == l.project_id)
                .map(|p| p.project.name.as_str())
                .unwrap_or("");
            let _ = write!(
                out,
                "<li><a href=\"/workspace/safety/{}/hazards/{}\">{}</a> in {}: {}{}</li>",
                l.project_id,
                l.number,
                esc(&l.hazard_id),
                esc(name),
                match l.kind {
                    TriageKind::NewHazard => "a new hazard",
                    TriageKind::Realises => "realises this hazard",
                    TriageKind::ControlFailed => "a control failed",
                },
                if l.risk_changed {
                    " (risk changed: safety case review needed)"
                } else {
                    ""
                }
            );
        }
        out.push_str("</ul>");
    }
    if who.can::<ManageHazards>().is_none() || projects.is_empty() {
        return out;
    }
    let Ok(s) = scheme() else {
        return out;
    };
    // Levels are offered as choices when every project uses the built-in scheme; otherwise they are typed
    // (code or label of the chosen project's scheme), and checked against it.
    let all_default = projects.iter().all(|p| p.scheme == s.reference());
    let level = |id: &str, name: &str, label: &str, likelihood: bool| {
        if all_default {
            select(id, name, label, &levels(s, likelihood), None)
        } else {
            text_input(
                id,
                name,
                &format!("{label} (code or label in the project's scheme)"),
                "",
            )
        }
    };
    let project_options: Vec<(String, String)> = projects
        .iter()
        .map(|p| {
            (
                p.id.to_string(),
                format!("{} ({})", p.project.name, p.project.standard.as_str()),
            )
        })
        .collect();
    let kinds = format!(
        "<div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\"><legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">\
         What is this incident?</legend><div class=\"nhsuk-radios\">{}</div></fieldset></div>",
        [
            ("realises", "The realisation of a recorded hazard"),
            ("control_failed", "A control on a recorded hazard failed"),
            ("new_hazard", "A new hazard"),
        ]
        .iter()
        .map(|(v, t)| format!(
            "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"triage-kind-{v}\" name=\"kind\" type=\"radio\" value=\"{v}\">\
             <label class=\"nhsuk-label nhsuk-radios__label\" for=\"triage-kind-{v}\">{t}</label></div>"
        ))
        .collect::<String>()
    );
    let csrf_and_seen = format!(
        "{}<input type=\"hidden\" name=\"seen\" value=\"{}\">",
        csrf::field(token),
        Utc::now().to_rfc3339()
    );
    let _ = write!(
        out,
        "<details class=\"nhsuk-details\"><summary class=\"nhsuk-details__summary\"><span class=\"nhsuk-details__summary-text\">Triage against a hazard log</span></summary>\
         <div class=\"nhsuk-details__text\"><form method=\"post\" action=\"/workspace/reports/{r}/triage\" novalidate>{csrf}{project}{kinds}\
         {hazard}{control}<h3>Re-score (if the risk changed; needed when a control failed)</h3>{il}{is}{rl}{rs}\
         <h3>For a new hazard</h3>{name}{desc}{nl}{ns}{note}{submit}</form></div></details>",
        r = esc(&v.reference),
        csrf = csrf_and_seen,
        project = select("triage-project", "project", "Safety project", &project_options, None),
        hazard = text_input("triage-hazard_id", "hazard_id", "Recorded hazard (like H-003)", ""),
        control = text_input("triage-control", "control", "Which control failed (1 for the first)", ""),
        il = level("triage-initial-likelihood", "initial_likelihood", "Initial likelihood", true),
        is = level("triage-initial-severity", "initial_severity", "Initial severity", false),
        rl = level("triage-residual-likelihood", "residual_likelihood", "Residual likelihood", true),
        rs = level("triage-residual-severity", "residual_severity", "Residual severity", false),
        name = text_input("triage-name", "name", "Hazard name", ""),
        desc = textarea("triage-description", "description", "Hazard description (no patient details)", ""),
        nl = level("triage-new-likelihood", "new_likelihood", "Likelihood", true),
        ns = level("triage-new-severity", "new_severity", "Severity", false),
        note = textarea("triage-note", "note", "Note for the safety incident log (no patient details)", ""),
        submit = button("Record triage", false),
    );
    out
}

/// `POST /workspace/reports/{reference}/triage`
pub async fn triage(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}");
    let who = match posting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let get = |k: &str| f.fields.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let kind = match get("kind").as_str() {
        "new_hazard" => Some(TriageKind::NewHazard),
        "realises" => Some(TriageKind::Realises),
        "control_failed" => Some(TriageKind::ControlFailed),
        _ => None,
    };
    let show = |errors: Vec<(String, String)>| {
        let st = st.clone();
        let who = who.clone();
        let headers = headers.clone();
        let reference = reference.clone();
        async move {
            super::workspace::render_report(
                &st,
                &who,
                &headers,
                &reference,
                None,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let Some(kind) = kind else {
        return show(vec![(
            "triage-kind-realises".into(),
            "Choose what this incident is".into(),
        )])
        .await;
    };
    let control = match get("control") {
        c if c.is_empty() => None,
        c => match c.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                return show(vec![(
                    "triage-control".into(),
                    "Enter the control's number, like 1".into(),
                )])
                .await
            }
        },
    };
    let hazard = (kind == TriageKind::NewHazard).then(|| candour_core::clinical::HazardInput {
        name: get("name"),
        description: get("description"),
        causes: Vec::new(),
        effects: String::new(),
        clinical_impact: String::new(),
        types: Vec::new(),
        existing_controls: Vec::new(),
        initial: candour_core::clinical::AssessmentInput {
            likelihood: get("new_likelihood"),
            severity: get("new_severity"),
        },
        controls: Vec::new(),
        residual: None,
        status: HazardStatus::Open,
        alarp_justification: String::new(),
        owner: String::new(),
        raised_on: Some(Utc::now().date_naive()),
        target_date: None,
        review_due: None,
        provenance: None,
    });
    let project = get("project");
    let hazard_id_text = get("hazard_id");
    // The page does not know which hazard will be named, so it carries when it was shown: a hazard changed
    // since then (another triage, an edit) was not the one this person looked at, and is not re-scored.
    let seen = chrono::DateTime::parse_from_rfc3339(&get("seen"))
        .map(|t| t.with_timezone(&Utc))
        .ok();
    let current = match (
        candour_core::clinical::hazard_number(&hazard_id_text),
        view(&who),
        safety::project_uuid(&project),
    ) {
        (Some(n), Ok(can), Some(pid)) => st
            .store
            .hazards(&can, pid)
            .await
            .ok()
            .and_then(|hs| hs.into_iter().find(|h| h.number == n)),
        _ => None,
    };
    if let Some(h) = &current {
        if seen.is_none_or(|t| h.updated_at > t) {
            return show(vec![(
                "triage-hazard_id".into(),
                format!(
                    "{} changed after this page was shown: reload the report, look at the hazard again and triage",
                    h.hazard_id
                ),
            )])
            .await;
        }
    }
    let expected_revision = current.map(|h| h.revision);
    let req = safety::TriageRequest {
        report: reference.clone(),
        kind,
        hazard,
        hazard_id: (!hazard_id_text.is_empty()).then_some(hazard_id_text),
        expected_revision,
        control,
        rescore: candour_core::clinical::Rescore {
            initial: safety::assessment(f.fields.get("initial_likelihood"), f.fields.get("initial_severity")),
            residual: safety::assessment(f.fields.get("residual_likelihood"), f.fields.get("residual_severity")),
        },
        note: get("note"),
    };
    match safety::record_triage(&st, &who, &project, req).await {
        Ok(_) => see_other(&here),
        Err(e) => show(field_errors(&e, "triage")).await,
    }
}

/// A hazard's fields as the form shows them (controls one per line, by kind, as in the spreadsheet).
fn hazard_values(h: &Hazard) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let lines = |l: &[String]| l.join("\n");
    v.insert("name".into(), h.name.clone());
    v.insert("description".into(), h.description.clone());
    v.insert("causes".into(), lines(&h.causes));
    v.insert("effects".into(), h.effects.clone());
    v.insert("clinical_impact".into(), h.clinical_impact.clone());
    v.insert("types".into(), lines(&h.types));
    v.insert("existing_controls".into(), lines(&h.existing_controls));
    v.insert("initial_likelihood".into(), h.initial.likelihood.clone());
    v.insert("initial_severity".into(), h.initial.severity.clone());
    v.insert("residual_likelihood".into(), h.residual.likelihood.clone());
    v.insert("residual_severity".into(), h.residual.severity.clone());
    for (field, kind) in CONTROL_FIELDS {
        let text: Vec<String> = h
            .controls
            .iter()
            .filter(|c| c.kind == *kind)
            .map(candour_sheets::control_line)
            .collect();
        v.insert((*field).into(), text.join("\n"));
    }
    v.insert("status".into(), h.status_label().to_lowercase());
    v.insert("alarp_justification".into(), h.alarp_justification.clone());
    v.insert("owner".into(), h.owner.clone());
    for (k, d) in [
        ("raised_on", h.raised_on),
        ("target_date", h.target_date),
        ("review_due", h.review_due),
    ] {
        v.insert(k.into(), d.map(|d| d.to_string()).unwrap_or_default());
    }
    v
}

const CONTROL_FIELDS: &[(&str, candour_core::clinical::ControlKind)] = &[
    ("controls_design", candour_core::clinical::ControlKind::Design),
    ("controls_test", candour_core::clinical::ControlKind::Test),
    ("controls_training", candour_core::clinical::ControlKind::Training),
    (
        "controls_business_process",
        candour_core::clinical::ControlKind::BusinessProcess,
    ),
];

/// The form's fields back into a hazard (before it is checked), or the fields at fault.
fn hazard_from_form(
    f: &HashMap<String, String>,
    provenance: Option<candour_core::clinical::Provenance>,
) -> Result<candour_core::clinical::HazardInput, Vec<(String, String)>> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let lines = |k: &str| -> Vec<String> {
        get(k)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let mut errors = Vec::new();
    let mut date = |k: &str| match get(k) {
        d if d.is_empty() => None,
        d => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push((format!("hazard-{k}"), format!("{k}: enter the date like 2026-04-01")));
                None
            }
        },
    };
    let (raised_on, target_date, review_due) = (date("raised_on"), date("target_date"), date("review_due"));
    let mut controls = Vec::new();
    for (field, kind) in CONTROL_FIELDS {
        for (i, line) in lines(field).iter().enumerate() {
            match candour_sheets::parse_control_line(line, *kind) {
                Ok(c) => controls.push(c),
                Err(m) => errors.push((format!("hazard-{field}"), format!("{field} line {}: {m}", i + 1))),
            }
        }
    }
    let status = match get("status").as_str() {
        "transferred" => HazardStatus::Transferred,
        "closed" => HazardStatus::Closed,
        _ => HazardStatus::Open,
    };
    let input = candour_core::clinical::HazardInput {
        name: get("name"),
        description: get("description"),
        causes: lines("causes"),
        effects: get("effects"),
        clinical_impact: get("clinical_impact"),
        types: lines("types"),
        existing_controls: lines("existing_controls"),
        initial: candour_core::clinical::AssessmentInput {
            likelihood: get("initial_likelihood"),
            severity: get("initial_severity"),
        },
        controls,
        residual: safety::assessment(f.get("residual_likelihood"), f.get("residual_severity")),
        status,
        alarp_justification: get("alarp_justification"),
        owner: get("owner"),
        raised_on,
        target_date,
        review_due,
        provenance,
    };
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_hazard_form(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    id: &str,
    number: Option<i64>,
    values: &HashMap<String, String>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    if who.can::<ManageHazards>().is_none() {
        return forbidden("Only a Clinical Safety Officer or an administrator changes hazard logs.");
    }
    let p = match project_of(st, who, id).await {
        Ok(p) => p,
        Err(e) => return trouble(&e),
    };
    let s = match scheme_of(st, &p).await {
        Ok(s) => s,
        Err(e) => return trouble(&e),
    };
    let s: &RiskScheme = &s;
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let v = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
    let level = |likelihood: bool, none: &str| -> Vec<(String, String)> {
        let mut o = levels(s, likelihood);
        o[0].1 = none.to_string();
        o
    };
    let statuses = [("open", "Open"), ("transferred", "Transferred"), ("closed", "Closed")]
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect::<Vec<_>>();
    let types_hint = crate::hazards::types()
        .map(|t| {
            t.group
                .iter()
                .flat_map(|g| g.types.clone())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let (title, action, revision) = match number {
        Some(n) => (
            format!("Change {}", hazard_id(n)),
            format!("/workspace/safety/{id}/hazards/{n}/edit"),
            format!(
                "<input type=\"hidden\" name=\"expected_revision\" value=\"{}\">",
                esc(v("expected_revision"))
            ),
        ),
        None => (
            "Add a hazard".to_string(),
            format!("/workspace/safety/{id}/hazards/new"),
            String::new(),
        ),
    };
    let mut controls = String::new();
    for (field, kind) in CONTROL_FIELDS {
        controls.push_str(&textarea(
            &format!("hazard-{field}"),
            field,
            &format!("{kind:?} controls, one per line"),
            v(field),
        ));
    }
    let form = format!(
        "<form method=\"post\" action=\"{action}\" novalidate>{csrf}{revision}{name}{desc}{causes}{effects}{impact}{types}\
         <p class=\"nhsuk-hint\">Hazard types, one per line: {types_hint}</p>{existing}<h2>Initial risk</h2>\
         <p>With the controls that exist and will stay. The rating is looked up from the scheme.</p>{il}{is}\
         <h2>Additional controls</h2><p class=\"nhsuk-hint\">Like: <code>Banner refreshes on every record switch [manufacturer; verified; evidence: TC-114; effective]</code>. \
         Implementer: manufacturer, health organisation or third party; state: planned, implemented or verified. Only controls in place lower the residual risk; a verified control needs evidence.</p>\
         {controls}<h2>Residual risk</h2>{rl}{rs}<h2>Status</h2>{st}{alarp}{owner}{raised}{target}{review}{submit}</form>",
        csrf = csrf::field(&token),
        name = text_input("hazard-name", "name", "Hazard name", v("name")),
        desc = textarea("hazard-description", "description", "Hazard description (no patient details)", v("description")),
        causes = textarea("hazard-causes", "causes", "Possible causes, one per line", v("causes")),
        effects = textarea("hazard-effects", "effects", "Effects", v("effects")),
        impact = textarea("hazard-clinical_impact", "clinical_impact", "Potential clinical impact", v("clinical_impact")),
        types = textarea("hazard-types", "types", "Hazard types", v("types")),
        existing = textarea("hazard-existing_controls", "existing_controls", "Existing controls, one per line", v("existing_controls")),
        il = select("hazard-initial-likelihood", "initial_likelihood", "Likelihood", &level(true, "Choose"), Some(v("initial_likelihood"))),
        is = select("hazard-initial-severity", "initial_severity", "Severity", &level(false, "Choose"), Some(v("initial_severity"))),
        rl = select("hazard-residual-likelihood", "residual_likelihood", "Likelihood", &level(true, "As initial"), Some(v("residual_likelihood"))),
        rs = select("hazard-residual-severity", "residual_severity", "Severity", &level(false, "As initial"), Some(v("residual_severity"))),
        st = select("hazard-status", "status", "Status", &statuses, Some(v("status"))),
        alarp = textarea("hazard-alarp_justification", "alarp_justification", "Why the residual risk cannot reasonably be reduced further (needed to close at rating 3)", v("alarp_justification")),
        owner = text_input("hazard-owner", "owner", "Owner", v("owner")),
        raised = text_input("hazard-raised_on", "raised_on", "Raised (YYYY-MM-DD)", v("raised_on")),
        target = text_input("hazard-target_date", "target_date", "Target date (YYYY-MM-DD)", v("target_date")),
        review = text_input("hazard-review_due", "review_due", "Review due (YYYY-MM-DD)", v("review_due")),
        submit = button("Save hazard", false),
    );
    with_cookie(
        page(
            status,
            Page {
                title: &title,
                back: Some(&format!("/workspace/safety/{id}")),
                main: format!(
                    "{}<span class=\"nhsuk-caption-l\">{}</span><h1>{}</h1>{form}",
                    error_summary(errors),
                    esc(&p.project.name),
                    esc(&title)
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// `GET /workspace/safety/{id}/hazards/new`
pub async fn new_hazard(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in(&format!("/workspace/safety/{id}/hazards/new"));
    };
    let mut values = HashMap::new();
    values.insert("status".to_string(), "open".to_string());
    values.insert("raised_on".to_string(), Utc::now().date_naive().to_string());
    render_hazard_form(&st, &who, &headers, &id, None, &values, &[], StatusCode::OK).await
}

/// `GET /workspace/safety/{id}/hazards/{n}/edit`
pub async fn edit_hazard(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((id, number)): Path<(String, i64)>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in(&format!("/workspace/safety/{id}/hazards/{number}/edit"));
    };
    let (p, can) = match (project_of(&st, &who, &id).await, view(&who)) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return trouble(&e),
    };
    let current = match st.store.hazards(&can, p.id).await {
        Ok(hs) => hs.into_iter().find(|h| h.number == number),
        Err(e) => return trouble(&e.into()),
    };
    let Some(current) = current else {
        return trouble(&ApiError::NotFound("hazard".into()));
    };
    let mut values = hazard_values(&current.hazard);
    values.insert("expected_revision".into(), current.revision.to_string());
    render_hazard_form(&st, &who, &headers, &id, Some(number), &values, &[], StatusCode::OK).await
}

/// `POST /workspace/safety/{id}/hazards/new` and `POST …/hazards/{n}/edit`: the same rules as the API
/// (ratings looked up, free text redacted, a change only at the revision the editor saw).
async fn save_hazard(
    st: &AppState,
    who: Principal,
    headers: &HeaderMap,
    id: &str,
    number: Option<i64>,
    f: SafetyForm,
) -> Response {
    let show = |errors: Vec<(String, String)>, status| {
        let values = f.fields.clone();
        let who = who.clone();
        async move { render_hazard_form(st, &who, headers, id, number, &values, &errors, status).await }
    };
    let Ok(can) = crate::hazards::manage(&who) else {
        return forbidden("Only a Clinical Safety Officer or an administrator changes hazard logs.");
    };
    let p = match project_of(st, &who, id).await {
        Ok(p) => p,
        Err(e) => return trouble(&e),
    };
    let (provenance, expected) = match number {
        None => (None, None),
        Some(n) => {
            let current = match view(&who) {
                Ok(v) => st
                    .store
                    .hazards(&v, p.id)
                    .await
                    .ok()
                    .and_then(|hs| hs.into_iter().find(|h| h.number == n)),
                Err(_) => None,
            };
            let Some(current) = current else {
                return trouble(&ApiError::NotFound("hazard".into()));
            };
            let Some(expected) = f
                .fields
                .get("expected_revision")
                .and_then(|r| r.trim().parse::<i64>().ok())
            else {
                return show(
                    vec![(
                        "hazard".into(),
                        "The form is damaged: reload the hazard and make your change again".into(),
                    )],
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            };
            (current.hazard.provenance, Some(expected))
        }
    };
    let input = match hazard_from_form(&f.fields, provenance) {
        Ok(i) => i,
        Err(errors) => return show(errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let scheme = match scheme_of(st, &p).await {
        Ok(s) => s,
        Err(e) => return trouble(&e),
    };
    let hazard = match crate::hazards::redact_hazard(st, input).validate(
        &scheme,
        match crate::hazards::types() {
            Ok(t) => t,
            Err(e) => return trouble(&e),
        },
        &p.project.custom_hazard_types,
    ) {
        Ok(h) => h,
        Err(v) => {
            return show(
                field_errors(&ApiError::Invalid(v), "hazard"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let req = candour_store::PutHazard {
        project_id: p.id,
        number,
        expected_revision: expected,
        hazard,
        now: Utc::now(),
    };
    match st.store.put_hazard(&can, req).await {
        Ok(rec) => see_other(&format!("/workspace/safety/{id}/hazards/{}", rec.number)),
        Err(candour_store::StoreError::Conflict { expected, current }) => show(
            vec![(
                "hazard".into(),
                format!("Someone changed this hazard while you were editing (you had revision {expected}; it is now {current}): reload it and make your change again"),
            )],
            StatusCode::CONFLICT,
        )
        .await,
        Err(e) => show(field_errors(&e.into(), "hazard"), StatusCode::SERVICE_UNAVAILABLE).await,
    }
}

/// `POST /workspace/safety/{id}/hazards/new`
pub async fn create_hazard(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let who = match posting(
        caller,
        &headers,
        f.csrf.as_deref(),
        &format!("/workspace/safety/{id}/hazards/new"),
    ) {
        Ok(w) => w,
        Err(r) => return r,
    };
    save_hazard(&st, who, &headers, &id, None, f).await
}

/// `POST /workspace/safety/{id}/hazards/{n}/edit`
pub async fn change_hazard(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((id, number)): Path<(String, i64)>,
    Form(f): Form<SafetyForm>,
) -> Response {
    let who = match posting(
        caller,
        &headers,
        f.csrf.as_deref(),
        &format!("/workspace/safety/{id}/hazards/{number}/edit"),
    ) {
        Ok(w) => w,
        Err(r) => return r,
    };
    save_hazard(&st, who, &headers, &id, Some(number), f).await
}
