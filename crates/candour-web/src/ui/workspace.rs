//! The staff workspace: sign in, the triage queue (what needs a person first), and a report's page, where
//! a named human acknowledges it and moves it through its lifecycle. It uses the same capabilities
//! (`Can<P>`), store calls and audit as the JSON API, so a page can do nothing the API would refuse.

use super::{c, csrf, esc, page, see_other, Page};
use crate::api::{self, ReportView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::identity::{Principal, ViewReports};
use candour_core::lifecycle::{AckMethod, Action, ActionName, Status, TRANSITIONS};
use candour_store::{ReportFilter, TransitionRequest};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The signed-in person, if any (an expired or unknown session counts as none).
pub(super) fn staff(caller: Result<Caller, ApiError>) -> Option<Principal> {
    match caller {
        Ok(Caller(p)) if p != Principal::Anonymous => Some(p),
        _ => None,
    }
}

/// Send someone who is not signed in to sign in, and back to `here` afterwards.
pub(super) fn to_sign_in(here: &str) -> Response {
    see_other(&format!("/sign-in?next={}", urlencode(here)))
}

fn display_name(p: &Principal) -> String {
    match p {
        Principal::Known { name, .. } => name.clone(),
        Principal::Anonymous => String::new(),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local paths are followed after sign-in (never another site).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/workspace",
    }
}

pub(super) fn with_cookie(mut res: Response, set: Option<String>) -> Response {
    if let Some(v) = set.and_then(|s| HeaderValue::from_str(&s).ok()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A form post without the right CSRF token (or from another site): nothing is done.
pub(super) fn csrf_refused() -> Response {
    super::error_page(
        StatusCode::FORBIDDEN,
        "Your session has expired",
        "Go back, reload the page and try again.",
    )
}

pub(super) fn error_summary(errors: &[(String, String)]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let list: Vec<Value> = errors
        .iter()
        .map(|(id, text)| json!({ "text": text, "href": format!("#{id}") }))
        .collect();
    c(
        "error-summary",
        json!({ "titleText": "There is a problem", "errorList": list }),
    )
}

pub(super) fn sign_out_form(token: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/sign-out\" novalidate>{}{}</form>",
        csrf::field(token),
        c(
            "button",
            json!({ "text": "Sign out", "classes": "nhsuk-button--secondary nhsuk-button--small" })
        )
    )
}

// ---------------------------------------------------------------------------------------------------
// Sign in and out

/// `?next=` on the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    next: Option<String>,
    csrf: Option<String>,
}

fn sign_in_view(token: &str, username: &str, next: &str, error: Option<&str>) -> String {
    let errors: Vec<(String, String)> = error
        .map(|e| ("username".to_string(), e.to_string()))
        .into_iter()
        .collect();
    let err = |id: &str| errors.iter().find(|(i, _)| i == id).map(|(_, t)| json!({ "text": t }));
    format!(
        "{summary}<h1>Sign in to the Candour workspace</h1>\
         <p>For Clinical Safety Officers, handlers, cyber and information governance teams. \
         You do not need an account to <a href=\"/report\">report a problem</a>.</p>\
         <form method=\"post\" action=\"/sign-in\" novalidate>{csrf}\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">{user}{pass}{button}</form>",
        summary = error_summary(&errors),
        csrf = csrf::field(token),
        next = esc(next),
        user = c(
            "input",
            json!({ "id": "username", "name": "username", "label": { "text": "Username" },
                    "value": username, "autocomplete": "username", "spellcheck": false,
                    "errorMessage": err("username") })
        ),
        pass = c(
            "input",
            json!({ "id": "password", "name": "password", "type": "password", "label": { "text": "Password" },
                    "autocomplete": "current-password" })
        ),
        button = c("button", json!({ "text": "Sign in" })),
    )
}

/// `GET /sign-in`
pub async fn sign_in_page(State(st): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let next = safe_next(q.next.as_deref()).to_string();
    with_cookie(
        page(
            StatusCode::OK,
            Page {
                title: "Sign in",
                back: None,
                main: sign_in_view(&token, "", &next, None),
                has_errors: false,
            },
        ),
        set,
    )
}

/// `POST /sign-in`
pub async fn sign_in(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<SignInForm>) -> Response {
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return csrf_refused();
    }
    let (token, _) = csrf::token(&headers, st.config.secure_cookies);
    let next = safe_next(f.next.as_deref()).to_string();
    match api::authenticate(&st, &f.username, &f.password).await {
        Ok((session, _)) => {
            let cookie = crate::api::session_cookie(&st, &session);
            with_cookie(see_other(&next), Some(cookie))
        }
        Err(e) => {
            let (status, msg) = match e {
                ApiError::RateLimited => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many failed attempts for this username. Wait 15 minutes, or ask an administrator.".to_string(),
                ),
                ApiError::Unauthorized(_) => (
                    StatusCode::UNAUTHORIZED,
                    "Enter a username and password that match an active account".to_string(),
                ),
                other => {
                    tracing::error!(error = %other, "sign-in failed");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Sorry, sign-in is not working. Try again later.".to_string(),
                    )
                }
            };
            page(
                status,
                Page {
                    title: "Sign in",
                    back: None,
                    main: sign_in_view(&token, &f.username, &next, Some(&msg)),
                    has_errors: true,
                },
            )
        }
    }
}

/// The sign-out form (CSRF only).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /sign-out`: end the session (server side too) and forget the cookie.
pub async fn sign_out(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return csrf_refused();
    }
    if let Some(t) = super::cookie(&headers, crate::auth::SESSION_COOKIE) {
        if let Err(e) = st.store.delete_session(&crate::auth::token_hash(&t)).await {
            tracing::error!(error = %e, "sign-out could not end the session");
        }
    }
    let clear = format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
        crate::auth::SESSION_COOKIE
    );
    with_cookie(see_other("/sign-in"), Some(clear))
}

// ---------------------------------------------------------------------------------------------------
// The triage queue

/// Filters on the queue (all optional; empty strings mean "any").
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    kind: Option<String>,
    status: Option<String>,
    organisation: Option<String>,
    acknowledged: Option<String>,
    urgency: Option<String>,
    harm: Option<String>,
    system: Option<String>,
    assigned: Option<String>,
    sort: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Most reports shown in the "waiting for a person" list.
const WAITING_SHOWN: i64 = 500;

/// Who needs to act first: patients harmed now, then urgent, then the oldest.
fn priority(r: &candour_store::ReportSummary) -> (u8, u8, chrono::DateTime<Utc>) {
    (
        u8::from(r.patients_harmed_now != "yes"),
        u8::from(r.urgency != "immediate" && r.urgency != "urgent"),
        r.created_at,
    )
}

fn report_rows(items: &[candour_store::ReportSummary], overdue: &std::collections::HashSet<String>) -> Vec<Vec<Value>> {
    items
        .iter()
        .map(|r| {
            let mut flags = Vec::new();
            if r.patients_harmed_now == "yes" {
                flags.push("<strong class=\"nhsuk-tag nhsuk-tag--red\">Patients harmed now</strong>".to_string());
            }
            if overdue.contains(&r.reference) {
                flags.push("<strong class=\"nhsuk-tag nhsuk-tag--red\">Overdue</strong>".to_string());
            }
            if !r.acknowledged {
                flags.push("<strong class=\"nhsuk-tag nhsuk-tag--orange\">Not acknowledged</strong>".to_string());
            }
            if let Some(a) = &r.assigned_to {
                flags.push(format!("<span class=\"nhsuk-body-s\">Assigned: {}</span>", esc(a)));
            }
            vec![
                json!({ "html": format!("<a href=\"/workspace/reports/{0}\">{0}</a>", esc(&r.reference)) }),
                json!({ "text": r.title }),
                json!({ "text": r.status.replace('_', " ") }),
                json!({ "text": r.urgency.replace('_', " ") }),
                json!({ "text": r.ods_code }),
                json!({ "text": candour_core::time::london(r.created_at) }),
                json!({ "html": flags.join(" ") }),
            ]
        })
        .collect()
}

fn table(caption: &str, rows: Vec<Vec<Value>>) -> String {
    if rows.is_empty() {
        return format!("<h2>{}</h2><p>None.</p>", esc(caption));
    }
    c(
        "tables",
        json!({
            "caption": caption,
            "responsive": true,
            "head": [
                { "text": "Reference" }, { "text": "Summary" }, { "text": "Status" }, { "text": "Urgency" },
                { "text": "Organisation" }, { "text": "Received" }, { "text": "Needs" }
            ],
            "rows": rows
        }),
    )
}

fn taxonomy_options(entries: &[candour_core::taxonomy::Entry]) -> Vec<(&str, &str)> {
    entries.iter().map(|e| (e.code.as_str(), e.label.as_str())).collect()
}

/// The signed-in person's username (the principal carries the account id).
pub(crate) async fn username_of(st: &AppState, who: &Principal) -> String {
    let Principal::Known { id, .. } = who else {
        return String::new();
    };
    st.store
        .users()
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|u| u.id.to_string() == *id)
        .map(|u| u.username)
        .unwrap_or_default()
}

/// One filter as inline radios ("Any" first).
fn filter_radios(id: &str, label: &str, current: Option<&str>, options: &[(&str, &str)]) -> String {
    let mut items = vec![json!({ "value": "", "text": "Any", "checked": current.is_none() })];
    items.extend(
        options
            .iter()
            .map(|(v, t)| json!({ "value": v, "text": t, "checked": current == Some(*v) })),
    );
    c(
        "radios",
        json!({ "idPrefix": id, "name": id, "classes": "nhsuk-radios--inline",
                "fieldset": { "legend": { "text": label, "classes": "nhsuk-fieldset__legend--s" } },
                "items": items }),
    )
}

/// `GET /workspace`: reports waiting for a named human first (patients harmed now, then urgent, then the
/// oldest), then every report the person may see, filtered.
pub async fn queue(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    q: Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace");
    };
    let Query(q) = q.unwrap_or_default();
    let Some(can) = who.can::<ViewReports>() else {
        return super::error_page(
            StatusCode::FORBIDDEN,
            "You cannot see reports",
            "Your account has no role that lets it see reports. Ask your organisation's administrator.",
        );
    };
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let mut errors: Vec<(String, String)> = Vec::new();
    let kind = nonempty(&q.kind).and_then(|k| match serde_json::from_value(json!(k)) {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(("kind".into(), format!("'{k}' is not a kind of report")));
            None
        }
    });
    let status = nonempty(&q.status).and_then(|s| match serde_json::from_value(json!(s)) {
        Ok(s) => Some(s),
        Err(_) => {
            errors.push(("status".into(), format!("'{s}' is not a status")));
            None
        }
    });
    let acknowledged = match nonempty(&q.acknowledged) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(other) => {
            errors.push(("acknowledged".into(), format!("'{other}' is not yes or no")));
            None
        }
        None => None,
    };
    let organisation = nonempty(&q.organisation).map(|o| o.to_uppercase());
    let mut from_set = |field: &str, set: &str, v: Option<&str>| -> Option<String> {
        let v = v?;
        if st.taxonomy.entry(set, v).is_some() {
            Some(v.to_string())
        } else {
            errors.push((
                field.into(),
                format!("'{v}' is not one of: {}", st.taxonomy.allowed(set)),
            ));
            None
        }
    };
    let urgency = from_set("urgency", "urgency", nonempty(&q.urgency));
    let min_harm = from_set("harm", "physical_harm", nonempty(&q.harm));
    let system = nonempty(&q.system).map(str::to_string);
    let assigned_to = match nonempty(&q.assigned) {
        Some("me") => Some(username_of(&st, &who).await),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let sort = nonempty(&q.sort).unwrap_or("newest");
    if !["newest", "oldest", "harm"].contains(&sort) {
        errors.push(("sort".into(), format!("'{sort}' is not newest, oldest or harm")));
    }
    let waiting = st
        .store
        .list_reports(
            &can,
            &ReportFilter {
                acknowledged: Some(false),
                status: Some(Status::Received),
                limit: Some(WAITING_SHOWN + 1),
                ..Default::default()
            },
        )
        .await;
    let all = st
        .store
        .list_reports(
            &can,
            &ReportFilter {
                kind,
                status,
                organisation: organisation.clone(),
                acknowledged,
                urgency,
                min_harm,
                system: system.clone(),
                assigned_to,
                limit: Some(100),
                ..Default::default()
            },
        )
        .await;
    let (mut waiting, mut all) = match (waiting, all) {
        (Ok(w), Ok(a)) => (w, a),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "queue query failed");
            return super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            );
        }
    };
    // The list comes newest first: if it is cut short, the oldest waiting reports would be the ones left
    // out, so say so plainly rather than show a queue that looks complete.
    let more_waiting = waiting.len() as i64 > WAITING_SHOWN;
    waiting.truncate(WAITING_SHOWN as usize);
    waiting.sort_by_key(priority);
    match sort {
        "oldest" => all.reverse(),
        "harm" => all.sort_by_key(|r| (std::cmp::Reverse(r.max_harm_rank), priority(r))),
        _ => {}
    }
    // Reports with a clock past due and its destination not yet answered.
    let now = Utc::now();
    let tables = st.routing.tables();
    let overdue: std::collections::HashSet<String> = st
        .store
        .open_routed(&can, 2000)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.routing.as_ref().is_some_and(|d| {
                d.routes.iter().any(|route| {
                    !r.answered_by(&route.destination, &tables.directory) && route.clocks.iter().any(|k| k.due_at < now)
                })
            })
        })
        .map(|r| r.reference)
        .collect();
    let kinds: Vec<(&str, &str)> = candour_core::ReportKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let status_labels: Vec<(&str, String)> = Status::ALL.iter().map(|s| (s.as_str(), humanise(s.as_str()))).collect();
    let statuses: Vec<(&str, &str)> = status_labels.iter().map(|(v, t)| (*v, t.as_str())).collect();
    let urgencies = st.taxonomy.set("urgency").to_vec();
    let harms = st.taxonomy.set("physical_harm").to_vec();
    let sort_radios = c(
        "radios",
        json!({ "idPrefix": "sort", "name": "sort", "classes": "nhsuk-radios--inline",
                "fieldset": { "legend": { "text": "Sort", "classes": "nhsuk-fieldset__legend--s" } },
                "items": [
                    { "value": "newest", "text": "Newest first", "checked": sort == "newest" },
                    { "value": "oldest", "text": "Oldest first", "checked": sort == "oldest" },
                    { "value": "harm", "text": "Worst harm first", "checked": sort == "harm" }
                ] }),
    );
    let parts = [
        filter_radios("kind", "Kind", nonempty(&q.kind), &kinds),
        filter_radios("status", "Status", nonempty(&q.status), &statuses),
        filter_radios(
            "acknowledged",
            "Acknowledged",
            nonempty(&q.acknowledged),
            &[("yes", "Yes"), ("no", "No")],
        ),
        filter_radios(
            "urgency",
            "Urgency",
            nonempty(&q.urgency),
            &taxonomy_options(&urgencies),
        ),
        filter_radios(
            "harm",
            "Worst harm at least",
            nonempty(&q.harm),
            &taxonomy_options(&harms),
        ),
        filter_radios("assigned", "Assigned", nonempty(&q.assigned), &[("me", "To me")]),
        sort_radios,
        c(
            "input",
            json!({ "id": "system", "name": "system", "label": { "text": "System (product name)" },
                    "value": system.unwrap_or_default(), "classes": "nhsuk-input--width-20" }),
        ),
        c(
            "input",
            json!({ "id": "organisation", "name": "organisation", "label": { "text": "Organisation (ODS code)" },
                    "value": organisation.unwrap_or_default(), "classes": "nhsuk-input--width-10" }),
        ),
        c(
            "button",
            json!({ "text": "Filter", "classes": "nhsuk-button--secondary" }),
        ),
    ];
    let filters = format!(
        "<form method=\"get\" action=\"/workspace\" novalidate>{}</form>",
        parts.concat()
    );
    let warning = if more_waiting {
        c(
            "warning-callout",
            json!({ "heading": "More reports are waiting than this page shows",
                            "text": format!("Only the newest {WAITING_SHOWN} waiting reports are listed: older ones wait longer. Filter the list below by organisation or kind, with Acknowledged: No, to reach them.") }),
        )
    } else {
        String::new()
    };
    let waiting = format!(
        "{warning}{}",
        table(
            &format!("Waiting for a named person to acknowledge ({})", waiting.len()),
            report_rows(&waiting, &overdue)
        )
    );
    let mut links = vec![(
        "/workspace/obligations",
        "Obligations: clocks running, least time left first",
    )];
    if who.can::<candour_core::identity::ViewHazards>().is_some() {
        links.push((
            "/workspace/safety",
            "Clinical safety: hazard logs, reviews, safety cases",
        ));
    }
    if who.can::<candour_core::identity::AdministerDelivery>().is_some() {
        links.push(("/workspace/outbox", "Delivery outbox and dead letters"));
    }
    if who.can::<candour_core::identity::ManageRouting>().is_some() {
        links.push(("/workspace/routing", "Routing tables: edit, try, save"));
    }
    if who.can::<candour_core::identity::ManageUsers>().is_some() {
        links.push(("/workspace/users", "Users and roles"));
    }
    let nav: String = links
        .iter()
        .map(|(href, text)| format!("<li><a href=\"{href}\">{}</a></li>", esc(text)))
        .collect();
    let main = format!(
        "{summary}<h1>Reports</h1><p>Signed in as {who}.</p>{signout}\
         <ul class=\"nhsuk-list\">{nav}</ul>{waiting}<h2>All reports</h2>{filters}{all}",
        summary = error_summary(&errors),
        who = esc(&display_name(&who)),
        signout = sign_out_form(&token),
        waiting = waiting,
        all = table("Newest first", report_rows(&all, &overdue)),
    );
    with_cookie(
        page(
            if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
            Page {
                title: "Reports",
                back: None,
                main,
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

// ---------------------------------------------------------------------------------------------------
// One report

fn humanise(key: &str) -> String {
    let s = key.replace('_', " ");
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// Every field of the report body as summary-list rows, nested blocks flattened ("Cyber: classification").
/// The taxonomy value set a report field's codes come from, by its key.
fn value_set(key: &str) -> Option<&'static str> {
    Some(match key {
        "urgency" => "urgency",
        "event_type" => "event_type",
        "patients_harmed_now" => "patients_harmed_now",
        "physical_harm" => "physical_harm",
        "psychological_harm" => "psychological_harm",
        "role" => "reporter_role",
        "classification" => "cyber_classification",
        "investigation_stage" => "investigation_stage",
        "request_type" => "csoc_request_type",
        "channel" => "suspicious_channel",
        _ => return None,
    })
}

/// A stored value as people read it: labels for codes, UK local time for instants.
fn readable(t: &candour_core::Taxonomy, key: &str, s: &str) -> String {
    if let Some(e) = value_set(key).and_then(|set| t.entry(set, s)) {
        return e.label.clone();
    }
    if key == "kind" {
        if let Ok(k) = serde_json::from_value::<candour_core::ReportKind>(json!(s)) {
            return k.label().to_string();
        }
    }
    if key.ends_with("_at") {
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(s) {
            return candour_core::time::london(at.with_timezone(&Utc));
        }
    }
    s.to_string()
}

fn body_rows(t: &candour_core::Taxonomy, prefix: &str, key: &str, v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                let label = if prefix.is_empty() {
                    humanise(k)
                } else {
                    format!("{prefix}: {}", humanise(k))
                };
                body_rows(t, &label, k, val, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for (i, item) in items.iter().enumerate() {
                body_rows(t, &format!("{prefix} {}", i + 1), key, item, out);
            }
        }
        Value::Null => {}
        Value::Array(items) if items.is_empty() => {}
        other => {
            let text = match other {
                Value::String(s) => readable(t, key, s),
                Value::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
                v => v.to_string(),
            };
            out.push(json!({ "key": { "text": prefix }, "value": { "text": text } }));
        }
    }
}

/// The fields each action asks for: (form field, label, required, textarea).
fn action_fields(a: ActionName) -> &'static [(&'static str, &'static str, bool)] {
    match a {
        ActionName::Acknowledge => &[("name", "Your name", true), ("role", "Your role", true)],
        ActionName::Triage => &[("note", "Triage note (optional)", false)],
        ActionName::StartInvestigation => &[("note", "Note (optional)", false)],
        ActionName::MakeSafe => &[("note", "What made it safe", true)],
        ActionName::Resolve => &[("summary", "What was done", true)],
        ActionName::Close => &[("feedback", "Feedback to the reporter (\"you said, we did\")", true)],
        ActionName::Reopen => &[("reason", "Why it is reopened", true)],
        ActionName::Withdraw => &[("reason", "Why it is withdrawn", true)],
        ActionName::Receive => &[],
    }
}

fn action_title(a: ActionName) -> &'static str {
    match a {
        ActionName::Acknowledge => "Acknowledge: I have seen this report",
        ActionName::Triage => "Mark as triaged",
        ActionName::StartInvestigation => "Start investigating",
        ActionName::MakeSafe => "Mark as made safe",
        ActionName::Resolve => "Mark as resolved",
        ActionName::Close => "Close, with feedback to the reporter",
        ActionName::Reopen => "Reopen",
        ActionName::Withdraw => "Withdraw",
        ActionName::Receive => "Receive",
    }
}

/// What the report page's forms send.
#[derive(Debug, Deserialize)]
pub struct ActForm {
    pub(super) action: String,
    expected_revision: i64,
    pub(super) csrf: Option<String>,
    #[serde(flatten)]
    pub(super) fields: HashMap<String, String>,
}

fn action_forms(
    v: &ReportView,
    who: &Principal,
    token: &str,
    sent: Option<&ActForm>,
    errors: &[(String, String)],
) -> String {
    let mut out = String::new();
    let status = v.state.status;
    for (name, from, _) in TRANSITIONS {
        if *name == ActionName::Receive || !from.contains(&status) {
            continue;
        }
        let mine = sent.filter(|f| f.action == name.as_str());
        let mut inputs = String::new();
        for (field, label, _required) in action_fields(*name) {
            let id = format!("{}-{field}", name.as_str());
            let value = mine
                .and_then(|f| f.fields.get(*field).cloned())
                .or_else(|| (*name == ActionName::Acknowledge && *field == "name").then(|| display_name(who)))
                .unwrap_or_default();
            let err = errors.iter().find(|(i, _)| *i == id).map(|(_, t)| json!({ "text": t }));
            let component = if matches!(*field, "name" | "role") {
                "input"
            } else {
                "textarea"
            };
            inputs.push_str(&c(
                component,
                json!({ "id": id, "name": field, "label": { "text": label }, "value": value, "errorMessage": err }),
            ));
        }
        if *name == ActionName::Acknowledge {
            let method = mine
                .and_then(|f| f.fields.get("method").cloned())
                .unwrap_or_else(|| "web".into());
            let items: Vec<Value> = [
                ("web", "In Candour"),
                ("phone", "By phone"),
                ("email", "By email"),
                ("in_person", "In person"),
            ]
            .iter()
            .map(|(v, t)| json!({ "value": v, "text": t, "checked": method == *v }))
            .collect();
            inputs.push_str(&c(
                "radios",
                json!({ "idPrefix": "acknowledge-method", "name": "method", "classes": "nhsuk-radios--inline",
                        "fieldset": { "legend": { "text": "How you were told about it" } }, "items": items }),
            ));
        }
        out.push_str(&format!(
            "<form method=\"post\" action=\"/workspace/reports/{r}/actions\" novalidate>{csrf}\
             <input type=\"hidden\" name=\"action\" value=\"{a}\">\
             <input type=\"hidden\" name=\"expected_revision\" value=\"{rev}\">\
             <h3>{title}</h3>{inputs}{button}</form>",
            r = esc(&v.reference),
            csrf = csrf::field(token),
            a = name.as_str(),
            rev = v.revision,
            title = esc(action_title(*name)),
            button = c(
                "button",
                json!({ "text": action_title(*name).split(':').next().unwrap_or("Save"),
                        "classes": if *name == ActionName::Withdraw { "nhsuk-button--secondary" } else { "" } })
            ),
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn report_main(
    v: &ReportView,
    who: &Principal,
    token: &str,
    sent: Option<&ActForm>,
    errors: &[(String, String)],
    history: &[candour_core::record::Revision],
    destinations: &str,
    taxonomy: &candour_core::Taxonomy,
) -> String {
    let b = &v.report;
    let ack = match &v.state.acknowledgement {
        Some(a) => format!("{} ({}), {}", a.name, a.role, candour_core::time::london(a.at)),
        None => "Nobody yet".into(),
    };
    let mut rows = vec![
        json!({ "key": { "text": "Status" }, "value": { "text": v.state.status.as_str().replace('_', " ") } }),
        json!({ "key": { "text": "Acknowledged by" }, "value": { "text": ack } }),
        json!({ "key": { "text": "Received" }, "value": { "text": v.created_at_local } }),
        json!({ "key": { "text": "Revision" }, "value": { "text": v.revision.to_string() } }),
    ];
    if let Some(f) = &v.state.feedback {
        rows.push(json!({ "key": { "text": "Feedback to the reporter" }, "value": { "text": f } }));
    }
    if let Some(s) = &v.cvss {
        let nom = s.nomenclature.as_deref().map(|n| format!(", {n}")).unwrap_or_default();
        rows.push(json!({ "key": { "text": "CVSS" }, "value": { "text": format!(
            "{:.1} {} (CVSS {}{nom})", s.score, s.severity, s.version
        ) } }));
    }
    if !v.attachments.is_empty() {
        let shown: String = v
            .attachments
            .iter()
            .filter(|a| a.redacted)
            .enumerate()
            .map(|(i, a)| {
                // Never the file name: it may carry patient details.
                format!(
                    "<p><a href=\"/workspace/reports/{r}/screenshots/{id}\"><img src=\"/workspace/reports/{r}/screenshots/{id}\" \
                     alt=\"Screenshot {n}, patient details covered in black\" class=\"nhsuk-image__img\"></a></p>",
                    r = esc(&v.reference),
                    id = a.id,
                    n = i + 1
                )
            })
            .collect();
        let held = v.attachments.iter().filter(|a| !a.redacted).count();
        let held = if held > 0 {
            format!("<p>{held} more from before screenshots were redacted: held back, unseen.</p>")
        } else {
            String::new()
        };
        rows.push(json!({ "key": { "text": "Screenshots" }, "value": { "html": format!(
            "<p>Patient details were covered in black when the reporter attached them.</p>{shown}{held}"
        ) } }));
    }
    let mut fields = Vec::new();
    let mut body = serde_json::to_value(b).unwrap_or(Value::Null);
    if let Some(o) = body.as_object_mut() {
        o.remove("title");
    }
    body_rows(taxonomy, "", "", &body, &mut fields);
    let withheld = if v.reporter_withheld {
        c(
            "inset-text",
            json!({ "html": "<p>The reporter asked for their identity to stay confidential. Only the organisation's Clinical Safety Officer or an administrator can see it.</p>" }),
        )
    } else {
        String::new()
    };
    let clocks: Vec<Vec<Value>> = v
        .routing
        .as_ref()
        .map(|r| {
            r.clocks
                .iter()
                .map(|k| {
                    vec![
                        json!({ "text": k.destination }),
                        json!({ "text": k.name }),
                        json!({ "text": k.due_at_local }),
                        json!({ "text": format!("{:?}", k.state).to_lowercase() }),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let clocks = if clocks.is_empty() {
        String::new()
    } else {
        c(
            "tables",
            json!({ "caption": "Where it went and the clocks running", "responsive": true,
                    "head": [{ "text": "Destination" }, { "text": "Obligation" }, { "text": "Due" }, { "text": "Now" }],
                    "rows": clocks }),
        )
    };
    let hist: Vec<Vec<Value>> = history
        .iter()
        .map(|r| {
            vec![
                json!({ "text": r.revision.to_string() }),
                json!({ "text": r.action }),
                json!({ "text": r.actor }),
                json!({ "text": candour_core::time::london(r.at) }),
            ]
        })
        .collect();
    let hist = c(
        "tables",
        json!({ "caption": "History", "responsive": true,
                "head": [{ "text": "Revision" }, { "text": "What" }, { "text": "Who" }, { "text": "When" }],
                "rows": hist }),
    );
    let iocs = b
        .cyber
        .as_ref()
        .and_then(|c| c.indicators_raw.as_deref())
        .map(api::indicators)
        .unwrap_or_default();
    let iocs = if iocs.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<Value>> = iocs
            .iter()
            .map(|i| {
                vec![
                    json!({ "text": i.ioc.kind.as_str().replace('_', " ") }),
                    json!({ "html": format!("<code>{}</code>", esc(&i.ioc.value)) }),
                    json!({ "text": if i.ioc.defanged { "yes" } else { "no" } }),
                    json!({ "text": i.excluded.clone().unwrap_or_else(|| "used to link incidents".into()) }),
                ]
            })
            .collect();
        c(
            "tables",
            json!({ "caption": format!("Indicators of compromise ({})", iocs.len()), "responsive": true,
                    "head": [{ "text": "Kind" }, { "text": "Value (refanged)" }, { "text": "Was defanged" }, { "text": "Correlation" }],
                    "rows": rows }),
        )
    };
    let actions = action_forms(v, who, token, sent, errors);
    format!(
        "{summary}<span class=\"nhsuk-caption-l\">{reference}</span><h1>{title}</h1>{signout}\
         {state}{withheld}<h2>The report</h2>{fields}{iocs}{destinations}{clocks}<h2>What to do next</h2>{actions}{hist}",
        summary = error_summary(errors),
        reference = esc(&v.reference),
        title = esc(&b.title),
        signout = sign_out_form(token),
        state = c("summary-list", json!({ "rows": rows })),
        fields = c("summary-list", json!({ "rows": fields })),
        actions = if actions.is_empty() {
            "<p>Nothing: this report is closed or withdrawn.</p>".to_string()
        } else {
            actions
        },
    )
}

pub(super) async fn render_report(
    st: &AppState,
    who: &Principal,
    headers: &HeaderMap,
    reference: &str,
    sent: Option<&ActForm>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    let (view, history, messages) = match api::load_with_history(st, who, reference).await {
        Ok(x) => x,
        Err(ApiError::NotFound(_)) | Err(ApiError::BadJson { .. }) | Err(ApiError::Invalid(_)) => {
            return super::error_page(
                StatusCode::NOT_FOUND,
                "We cannot find that report",
                "Check the reference. You see only your organisation's reports.",
            )
        }
        Err(ApiError::Forbidden(m)) => {
            return super::error_page(StatusCode::FORBIDDEN, "You cannot see this report", &m)
        }
        Err(e) => {
            tracing::error!(error = %e, "report page failed");
            return super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            );
        }
    };
    with_cookie(
        page(
            status,
            Page {
                title: &view.report.title.clone(),
                back: Some("/workspace"),
                main: report_main(
                    &view,
                    who,
                    &token,
                    sent,
                    errors,
                    &history,
                    &format!(
                        "{}{}{}{}{}{}{}",
                        super::cyber::link(&view.reference, view.report.kind),
                        originals(st, who, &view).await,
                        super::safety::triage_section(st, who, &view, &token).await,
                        audit_trail(st, who, &view).await,
                        super::notes::section(&view, who, &token, sent, errors),
                        super::destinations::table(&view, &messages, &st.routing.tables().directory),
                        super::destinations::form(&view, &token, sent, errors)
                    ),
                    &st.taxonomy,
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// What the originals compartment holds for the report (links only for those who may open them).
async fn originals(st: &AppState, who: &Principal, v: &ReportView) -> String {
    let (Ok(id), Ok(ods)) = (
        uuid::Uuid::parse_str(&v.id),
        candour_core::OdsCode::parse(&v.report.ods_code),
    ) else {
        return String::new();
    };
    let kept = st.store.originals(id).await.unwrap_or_default();
    let may = super::originals::may_read(who, &ods);
    super::originals::section(&v.reference, &kept, may)
}

/// The report's audit trail, for those who may read the audit log for its organisation.
async fn audit_trail(st: &AppState, who: &Principal, v: &ReportView) -> String {
    let Ok(ods) = candour_core::OdsCode::parse(&v.report.ods_code) else {
        return String::new();
    };
    if who.can_for::<candour_core::identity::ViewAudit>(&ods).is_none() {
        return String::new();
    }
    let entries = match st.store.audit_for("report", &v.reference).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "audit trail failed");
            return "<p>The audit trail could not be read just now.</p>".into();
        }
    };
    let rows: Vec<Vec<Value>> = entries
        .iter()
        .map(|e| {
            vec![
                json!({ "text": e.seq.to_string() }),
                json!({ "text": candour_core::time::london(e.at) }),
                json!({ "text": e.action }),
                json!({ "text": e.actor }),
            ]
        })
        .collect();
    c(
        "tables",
        json!({ "caption": "Audit trail (every change, in order; chained and verifiable)", "responsive": true,
                "head": [{ "text": "Entry" }, { "text": "When" }, { "text": "What" }, { "text": "Who" }],
                "rows": rows }),
    )
}

/// `GET /workspace/reports/{reference}`
pub async fn report(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in(&format!("/workspace/reports/{reference}"));
    };
    render_report(&st, &who, &headers, &reference, None, &[], StatusCode::OK).await
}

fn build_action(f: &ActForm) -> Result<Action, Vec<(String, String)>> {
    let get = |k: &str| f.fields.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let name = TRANSITIONS
        .iter()
        .map(|(n, _, _)| *n)
        .find(|n| n.as_str() == f.action && *n != ActionName::Receive)
        .ok_or_else(|| vec![("action".to_string(), format!("'{}' is not an action", f.action))])?;
    let mut errors = Vec::new();
    let mut need = |field: &str, what: &str| -> String {
        get(field).unwrap_or_else(|| {
            errors.push((format!("{}-{field}", name.as_str()), format!("Enter {what}")));
            String::new()
        })
    };
    let action = match name {
        ActionName::Acknowledge => {
            let name_ = need("name", "your name");
            let role = need("role", "your role");
            let method = match get("method").as_deref().unwrap_or("web") {
                "phone" => AckMethod::Phone,
                "email" => AckMethod::Email,
                "in_person" => AckMethod::InPerson,
                _ => AckMethod::Web,
            };
            Action::Acknowledge {
                name: name_,
                role,
                method,
            }
        }
        ActionName::Triage => Action::Triage { note: get("note") },
        ActionName::StartInvestigation => Action::StartInvestigation { note: get("note") },
        ActionName::MakeSafe => Action::MakeSafe {
            note: need("note", "what made it safe"),
        },
        ActionName::Resolve => Action::Resolve {
            summary: need("summary", "what was done"),
        },
        ActionName::Close => Action::Close {
            feedback: need("feedback", "feedback for the reporter"),
        },
        ActionName::Reopen => Action::Reopen {
            reason: need("reason", "why it is reopened"),
        },
        ActionName::Withdraw => Action::Withdraw {
            reason: need("reason", "why it is withdrawn"),
        },
        ActionName::Receive => return Err(vec![("action".into(), "reports are received automatically".into())]),
    };
    if errors.is_empty() {
        Ok(action)
    } else {
        Err(errors)
    }
}

/// Who is acting on a report from a workspace form: signed in (else to sign-in, back to `here`), the form
/// theirs (CSRF), and allowed to change reports; or the page to show instead.
#[allow(clippy::result_large_err)]
pub(super) fn acting(
    caller: Result<Caller, ApiError>,
    headers: &HeaderMap,
    csrf_sent: Option<&str>,
    here: &str,
) -> Result<
    (
        Principal,
        candour_core::identity::Can<candour_core::identity::TransitionReports>,
    ),
    Response,
> {
    let Some(who) = staff(caller) else {
        return Err(to_sign_in(here));
    };
    if !csrf::check(headers, csrf_sent) {
        return Err(csrf_refused());
    }
    let Some(can) = who.can::<candour_core::identity::TransitionReports>() else {
        return Err(super::error_page(
            StatusCode::FORBIDDEN,
            "You cannot change reports",
            "Your account can see reports but not act on them.",
        ));
    };
    Ok((who, can))
}

/// `POST /workspace/reports/{reference}/actions`: acknowledge or move the report on; the same rules,
/// optimistic concurrency and audit as `POST /api/v1/reports/{reference}/transitions`.
pub async fn act(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(f): Form<ActForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}");
    let (who, can) = match acting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let action = match build_action(&f) {
        Ok(a) => a,
        Err(errors) => {
            return render_report(
                &st,
                &who,
                &headers,
                &reference,
                Some(&f),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let Ok(parsed) = reference.parse() else {
        return render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await;
    };
    let result = st
        .store
        .transition(
            &can,
            TransitionRequest {
                reference: parsed,
                expected_revision: Some(f.expected_revision),
                action,
                now: Utc::now(),
            },
        )
        .await;
    match result.map_err(ApiError::from) {
        Ok(_) => see_other(&here),
        Err(e) => {
            let (status, errors) = match e {
                ApiError::Conflict(_) => (
                    StatusCode::CONFLICT,
                    vec![(
                        "action".to_string(),
                        "Someone else changed this report while you were looking at it. Check it as it now stands, then try again."
                            .to_string(),
                    )],
                ),
                ApiError::Invalid(v) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    v.errors
                        .iter()
                        .map(|fe| {
                            // The closure gate's errors point at the cyber record, where they are put right.
                            let id = if fe.path == "clinical_impact" {
                                "cyber-record".to_string()
                            } else {
                                format!("{}-{}", f.action, fe.path)
                            };
                            (id, fe.message.clone())
                        })
                        .collect(),
                ),
                ApiError::Transition(m) => (StatusCode::CONFLICT, vec![("action".to_string(), m)]),
                ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, vec![("action".to_string(), m)]),
                ApiError::NotFound(_) => {
                    return render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await
                }
                other => {
                    tracing::error!(error = %other, "workspace action failed");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        vec![("action".to_string(), "Sorry, that did not save. Try again.".to_string())],
                    )
                }
            };
            render_report(&st, &who, &headers, &reference, Some(&f), &errors, status).await
        }
    }
}
