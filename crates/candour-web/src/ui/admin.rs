//! Workspace pages for the people who run routing and delivery: the obligations board (every running
//! clock on open reports, the least time left first), the delivery outbox with its dead letters, and the
//! routing tables editor (check, try on a report, save: audited, and the previous version stays in force
//! whenever a new one fails its checks).

use super::workspace::{csrf_refused, error_summary, sign_out_form, staff, to_sign_in, with_cookie};
use super::{c, csrf, esc, page, see_other, Page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::policy;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::identity::{AdministerDelivery, ManageRouting, Permission, Principal, ViewReports};
use candour_core::routing::{decide, Decision, Tables};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

/// Rows shown on the obligations board.
pub const BOARD_SHOWN: usize = 500;

/// Outbox messages per page.
pub const OUTBOX_PAGE: i64 = 100;

fn forbidden<P: Permission>() -> Response {
    super::error_page(
        StatusCode::FORBIDDEN,
        "You cannot use this page",
        &format!("Your roles do not allow you to {}.", P::NAME),
    )
}

/// "3 h 10 min left" or "overdue by 2 days 4 h".
pub fn time_left(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = due - now;
    let m = d.num_minutes().abs();
    let span = match (m / 1440, (m % 1440) / 60, m % 60) {
        (0, 0, min) => format!("{min} min"),
        (0, h, min) => format!("{h} h {min} min"),
        (days, h, _) => format!("{days} day{} {h} h", if days == 1 { "" } else { "s" }),
    };
    if d.num_seconds() < 0 {
        format!("overdue by {span}")
    } else {
        format!("{span} left")
    }
}

struct Running<'a> {
    reference: &'a str,
    title: &'a str,
    ods: &'a str,
    destination: String,
    obligation: String,
    due_at: DateTime<Utc>,
    verified: bool,
    urgent: bool,
}

/// `GET /workspace/obligations`: every clock still running on open reports in the caller's scope,
/// overdue and soonest first. A clock stops when its destination answers (acknowledges, or staff record
/// a reasoned decision not to notify), and for the organisation's own destinations when a named person
/// there acknowledges the report.
pub async fn obligations(State(st): State<AppState>, caller: Result<Caller, ApiError>, headers: HeaderMap) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/obligations");
    };
    let Some(can) = who.can::<ViewReports>() else {
        return forbidden::<ViewReports>();
    };
    let open = match st.store.open_routed(&can, 2000).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "obligations board failed");
            return super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            );
        }
    };
    let tables = st.routing.tables();
    let mut running: Vec<Running<'_>> = Vec::new();
    for r in &open {
        let Some(d) = &r.routing else { continue };
        for route in &d.routes {
            if r.answered_by(&route.destination, &tables.directory) {
                continue;
            }
            for k in &route.clocks {
                running.push(Running {
                    reference: &r.reference,
                    title: &r.title,
                    ods: &r.ods_code,
                    destination: route.name.clone(),
                    obligation: k.name.clone(),
                    due_at: k.due_at,
                    verified: k.verified,
                    urgent: r.patients_harmed_now == "yes",
                });
            }
        }
    }
    running.sort_by_key(|x| x.due_at);
    // Escalations nothing could be sent for: a person must phone, until the destination answers.
    let mut calls: Vec<(&str, &str, &candour_store::ChaseRecord)> = open
        .iter()
        .flat_map(|r| {
            r.calls
                .iter()
                .filter(|c| !r.answered.contains(&c.destination))
                .map(move |c| (r.reference.as_str(), r.title.as_str(), c))
        })
        .collect();
    calls.sort_by_key(|(_, _, c)| c.at);
    let now = Utc::now();
    let overdue = running.iter().filter(|x| x.due_at < now).count();
    let total = running.len();
    let rows: Vec<Vec<Value>> = running
        .iter()
        .take(BOARD_SHOWN)
        .map(|x| {
            let mut left = esc(&time_left(x.due_at, now));
            if x.due_at < now {
                left = format!("<strong class=\"nhsuk-tag nhsuk-tag--red\">{left}</strong>");
            }
            let mut what = esc(&x.obligation);
            if !x.verified {
                what.push_str(" <span class=\"nhsuk-body-s\">(figure not verified)</span>");
            }
            let mut report = format!(
                "<a href=\"/workspace/reports/{r}\">{r}</a> {t} <span class=\"nhsuk-body-s\">({o})</span>",
                r = esc(x.reference),
                t = esc(x.title),
                o = esc(x.ods)
            );
            if x.urgent {
                report.push_str(" <strong class=\"nhsuk-tag nhsuk-tag--red\">Patients harmed now</strong>");
            }
            vec![
                json!({ "html": left }),
                json!({ "text": candour_core::time::london(x.due_at) }),
                json!({ "html": report }),
                json!({ "text": x.destination }),
                json!({ "html": what }),
            ]
        })
        .collect();
    let more = if total > BOARD_SHOWN {
        c(
            "warning-callout",
            json!({ "heading": "Not every clock is listed",
                    "text": format!("{total} clocks are running; the {BOARD_SHOWN} with the least time left are shown.") }),
        )
    } else {
        String::new()
    };
    let body = if rows.is_empty() {
        "<p>No clocks are running: every destination of every open report has answered.</p>".to_string()
    } else {
        c(
            "tables",
            json!({ "caption": format!("Running clocks ({total}, {overdue} overdue)"), "responsive": true,
                    "head": [{ "text": "Time left" }, { "text": "Due" }, { "text": "Report" },
                             { "text": "Destination" }, { "text": "Obligation" }],
                    "rows": rows }),
        )
    };
    let calls_html = if calls.is_empty() {
        String::new()
    } else {
        let rows: Vec<Vec<Value>> = calls
            .iter()
            .map(|(reference, title, c)| {
                let who = tables.directory.get(&c.destination).map_or(c.destination.as_str(), |d| d.name.as_str());
                // Whom to call: the escalation contact's phone (or web) routes; with none named, the silent
                // destination's own.
                let target = tables.directory.get(&c.told).or_else(|| tables.directory.get(&c.destination));
                let what = target.map_or_else(
                    || c.note.clone(),
                    |d| {
                        let routes: Vec<String> = d
                            .contacts
                            .iter()
                            .filter(|x| matches!(x.method, candour_core::routing::Method::Phone | candour_core::routing::Method::Web))
                            .map(|x| format!("{} ({})", x.value, x.hours))
                            .collect();
                        format!("Call {}: {}", d.name, routes.join("; "))
                    },
                );
                vec![
                    json!({ "html": format!("<a href=\"/workspace/reports/{r}\">{r}</a> {t}", r = esc(reference), t = esc(title)) }),
                    json!({ "text": who }),
                    json!({ "text": candour_core::time::london(c.at) }),
                    json!({ "text": what }),
                ]
            })
            .collect();
        c(
            "tables",
            json!({ "caption": format!("Calls to make ({}): escalations nothing could be sent for", calls.len()),
                    "responsive": true,
                    "head": [{ "text": "Report" }, { "text": "Nobody has answered at" }, { "text": "Escalated" }, { "text": "What to do" }],
                    "rows": rows }),
        )
    };
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    with_cookie(
        page(
            StatusCode::OK,
            Page {
                title: "Obligations",
                back: Some("/workspace"),
                main: format!(
                    "<h1>Obligations</h1>{}<p>Each clock runs until its destination answers: a person there \
                     acknowledges, or you record why it was not notified. Legal clocks run from when the \
                     organisation became aware.</p>{calls_html}{more}{body}",
                    sign_out_form(&token)
                ),
                has_errors: false,
            },
        ),
        set,
    )
}

/// Query for the outbox page.
#[derive(Debug, Deserialize)]
pub struct OutboxParams {
    status: Option<String>,
    after: Option<String>,
}

/// `GET /workspace/outbox?status=dead`: delivery as it stands, a page at a time (administrators).
pub async fn outbox(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<OutboxParams>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/outbox");
    };
    if who.can::<AdministerDelivery>().is_none() {
        return forbidden::<AdministerDelivery>();
    }
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    if let Some(s) = status.filter(|s| !["pending", "sent", "dead"].contains(s)) {
        errors.push(("status".to_string(), format!("'{s}' is not pending, sent or dead")));
    }
    let after = match q.after.as_deref().filter(|s| !s.is_empty()).map(uuid::Uuid::parse_str) {
        Some(Ok(u)) => Some(u),
        Some(Err(_)) => {
            errors.push(("after".to_string(), "The page link is damaged: start again".to_string()));
            None
        }
        None => None,
    };
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let messages = if errors.is_empty() {
        match st.store.outbox_page(status, after, OUTBOX_PAGE).await {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "outbox page failed");
                return super::error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, there is a problem with the service",
                    "Try again later.",
                );
            }
        }
    } else {
        Vec::new()
    };
    let rows: Vec<Vec<Value>> = messages
        .iter()
        .map(|m| {
            let state = match m.status.as_str() {
                "dead" => "<strong class=\"nhsuk-tag nhsuk-tag--red\">Dead letter</strong>".to_string(),
                "sent" => format!(
                    "Sent {}",
                    esc(&m.sent_at.map(candour_core::time::london).unwrap_or_default())
                ),
                _ => format!(
                    "Pending: next try {}",
                    esc(&candour_core::time::london(m.next_attempt_at))
                ),
            };
            vec![
                json!({ "html": format!("<a href=\"/workspace/reports/{r}\">{r}</a>", r = esc(&m.reference)) }),
                json!({ "text": format!("{} ({})", m.destination, m.purpose) }),
                json!({ "text": format!("{}: {}", m.channel, m.address) }),
                json!({ "html": state }),
                json!({ "text": m.attempts.to_string() }),
                json!({ "text": m.last_error.clone().unwrap_or_default() }),
            ]
        })
        .collect();
    let filters: Vec<Value> = [
        ("", "All"),
        ("pending", "Pending"),
        ("sent", "Sent"),
        ("dead", "Dead letters"),
    ]
    .iter()
    .map(|(v, t)| json!({ "value": v, "text": t, "checked": status.unwrap_or("") == *v }))
    .collect();
    let filter = format!(
        "<form method=\"get\" action=\"/workspace/outbox\" novalidate>{}{}</form>",
        c(
            "radios",
            json!({ "idPrefix": "status", "name": "status", "classes": "nhsuk-radios--inline",
                    "fieldset": { "legend": { "text": "Show" } },
                    "errorMessage": errors.iter().find(|(f, _)| f == "status").map(|(_, m)| json!({ "text": m })),
                    "items": filters }),
        ),
        c(
            "button",
            json!({ "text": "Show", "classes": "nhsuk-button--secondary" })
        ),
    );
    let next = match messages.last() {
        Some(last) if messages.len() as i64 == OUTBOX_PAGE => format!(
            "<p><a href=\"/workspace/outbox?status={}&amp;after={}\">Next page</a></p>",
            esc(status.unwrap_or("")),
            last.id
        ),
        _ => String::new(),
    };
    let table = if rows.is_empty() {
        "<p>No messages.</p>".to_string()
    } else {
        c(
            "tables",
            json!({ "caption": "Messages, oldest first", "responsive": true,
                    "head": [{ "text": "Report" }, { "text": "Destination (why)" }, { "text": "Channel" },
                             { "text": "State" }, { "text": "Attempts" }, { "text": "Last error" }],
                    "rows": rows }),
        )
    };
    let status_code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    with_cookie(
        page(
            status_code,
            Page {
                title: "Delivery outbox",
                back: Some("/workspace"),
                main: format!(
                    "{}<h1>Delivery outbox</h1>{}<p>A dead letter was not delivered after every retry: \
                     contact that destination another way, then record its answer on the report.</p>{filter}{table}{next}",
                    error_summary(&errors),
                    sign_out_form(&token)
                ),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// The routing editor form.
#[derive(Debug, Deserialize)]
pub struct RoutingForm {
    csrf: Option<String>,
    #[serde(default)]
    intent: String,
    #[serde(default)]
    directory: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    obligations: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    note: String,
}

/// Query for the routing page.
#[derive(Debug, Deserialize)]
pub struct RoutingParams {
    saved: Option<i64>,
}

fn decision_list(d: &Decision) -> String {
    let items: String = d
        .routes
        .iter()
        .map(|r| {
            let why: Vec<String> = r.because.iter().map(|b| b.rule.clone()).collect();
            let due = r
                .due
                .as_ref()
                .map(|k| format!("; {} by {}", k.name, candour_core::time::london(k.due_at)))
                .unwrap_or_default();
            format!(
                "<li><strong>{}</strong> (rules: {}){}</li>",
                esc(&r.name),
                esc(&why.join(", ")),
                esc(&due)
            )
        })
        .collect();
    format!("<ul class=\"nhsuk-list nhsuk-list--bullet\">{items}</ul>")
}

struct Trial {
    reference: String,
    now: String,
    then: String,
    same: bool,
}

#[allow(clippy::too_many_arguments)]
fn routing_main(
    st: &AppState,
    token: &str,
    files: [&str; 3],
    reference: &str,
    note: &str,
    errors: &[(String, String)],
    banner: Option<String>,
    trial: Option<Trial>,
    history: &[candour_store::RoutingVersion],
) -> String {
    let (version, tables) = st.routing.get();
    let labels = format!(
        "{} / {} / {}",
        tables.directory.version, tables.rules.version, tables.policy.version
    );
    let in_force = if version == 0 {
        format!("The tables built into Candour ({labels})")
    } else {
        format!("Version {version} ({labels})")
    };
    let err = |id: &str| errors.iter().find(|(f, _)| f == id).map(|(_, m)| json!({ "text": m }));
    let area = |id: &str, label: &str, value: &str, hint: &str| {
        c(
            "textarea",
            json!({ "id": id, "name": id, "rows": "16", "spellcheck": false,
                    "classes": "candour-code", "label": { "text": label, "classes": "nhsuk-label--s" },
                    "hint": { "text": hint }, "value": value, "errorMessage": err(id) }),
        )
    };
    let trial = trial
        .map(|t| {
            let verdict = if t.same {
                "The new tables would route it exactly as the tables in force do."
            } else {
                "The new tables would route it differently."
            };
            format!(
                "<h2>What would happen to {r}</h2><p>{verdict}</p><h3>With the tables in force</h3>{now}\
                 <h3>With these tables</h3>{then}",
                r = esc(&t.reference),
                now = t.now,
                then = t.then
            )
        })
        .unwrap_or_default();
    let hist: Vec<Vec<Value>> = history
        .iter()
        .map(|h| {
            vec![
                json!({ "text": h.version.to_string() }),
                json!({ "text": h.labels }),
                json!({ "text": h.note }),
                json!({ "text": h.created_by }),
                json!({ "text": candour_core::time::london(h.created_at) }),
            ]
        })
        .collect();
    let hist = if hist.is_empty() {
        "<p>No version has been saved: the tables built into Candour are in force.</p>".to_string()
    } else {
        c(
            "tables",
            json!({ "caption": "Saved versions, newest first", "responsive": true,
                    "head": [{ "text": "Version" }, { "text": "Files" }, { "text": "What changed and why" },
                             { "text": "Saved by" }, { "text": "When" }],
                    "rows": hist }),
        )
    };
    format!(
        "{summary}{banner}<h1>Routing tables</h1>{signout}\
         <p>In force: <strong>{in_force}</strong>. New reports are routed with these; reports already \
         routed keep their decision. A change is checked as a whole before it is saved, and every save is \
         audited.</p>\
         <form method=\"post\" action=\"/workspace/routing\" novalidate>{csrf}\
         {dir}{rules}{obl}{reference}{note}\
         <div class=\"nhsuk-button-group\">{check}{save}</div></form>{trial}<h2>History</h2>{hist}",
        summary = error_summary(errors),
        banner = banner.unwrap_or_default(),
        signout = sign_out_form(token),
        csrf = csrf::field(token),
        dir = area(
            "directory",
            "Directory (directory.toml)",
            files[0],
            "Destinations and how to reach them"
        ),
        rules = area(
            "rules",
            "Rules (rules.toml)",
            files[1],
            "Which reports go where, and the clock each starts"
        ),
        obl = area(
            "obligations",
            "Obligations (obligations.toml)",
            files[2],
            "Clocks, working hours, bank holidays, chasing"
        ),
        reference = c(
            "input",
            json!({ "id": "reference", "name": "reference", "classes": "nhsuk-input--width-20",
                    "label": { "text": "Try the tables on a report (optional)" },
                    "hint": { "text": "A reference, for example CS-2026-000123: see where it would go" },
                    "value": reference, "errorMessage": err("reference") }),
        ),
        note = c(
            "textarea",
            json!({ "id": "note", "name": "note", "rows": "2", "label": { "text": "What changed and why" },
                    "hint": { "text": "Needed to save; kept with the version and in the audit log" },
                    "value": note, "errorMessage": err("note") }),
        ),
        check = c(
            "button",
            json!({ "text": "Check and try", "name": "intent", "value": "check", "classes": "nhsuk-button--secondary" })
        ),
        save = c(
            "button",
            json!({ "text": "Save and put in force", "name": "intent", "value": "save" })
        ),
    )
}

async fn history(st: &AppState) -> Vec<candour_store::RoutingVersion> {
    st.store.routing_versions().await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "routing history failed");
        Vec::new()
    })
}

/// `GET /workspace/routing`
pub async fn routing_page(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<RoutingParams>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/routing");
    };
    if who.can::<ManageRouting>().is_none() {
        return forbidden::<ManageRouting>();
    }
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let tables = st.routing.tables();
    let [d, r, o] = tables.sources();
    let banner = q.saved.map(|v| {
        c(
            "notification-banner",
            json!({ "type": "success", "text": format!("Version {v} saved and in force.") }),
        )
    });
    let main = routing_main(&st, &token, [d, r, o], "", "", &[], banner, None, &history(&st).await);
    with_cookie(
        page(
            StatusCode::OK,
            Page {
                title: "Routing tables",
                back: Some("/workspace"),
                main,
                has_errors: false,
            },
        ),
        set,
    )
}

async fn try_on(st: &AppState, who: &Principal, reference: &str, candidate: &Tables) -> Result<Trial, String> {
    let Some(can) = who.can::<ViewReports>() else {
        return Err("You cannot see reports".into());
    };
    let parsed = reference
        .parse()
        .map_err(|_| format!("'{reference}' is not a report reference, for example CS-2026-000123"))?;
    let rec = st
        .store
        .get_report(&can, &parsed)
        .await
        .map_err(|_| "Sorry, the report could not be read. Try again.".to_string())?
        .ok_or_else(|| format!("There is no report {reference} that you can see"))?;
    let facts = st
        .store
        .organisation(rec.report.ods().as_str())
        .await
        .map_err(|_| "Sorry, the report could not be read. Try again.".to_string())?
        .map(|o| o.facts())
        .unwrap_or(crate::intake::UNKNOWN_ORG);
    let now_tables = st.routing.tables();
    let a = decide(&now_tables, &st.taxonomy, &rec.report, facts, rec.created_at);
    let b = decide(candidate, &st.taxonomy, &rec.report, facts, rec.created_at);
    let same = a.routes == b.routes && a.urgent_path == b.urgent_path;
    Ok(Trial {
        reference: rec.reference.to_string(),
        now: decision_list(&a),
        then: decision_list(&b),
        same,
    })
}

/// `POST /workspace/routing`: check the three files together; then try them on a report, or save them
/// as a new version and put it in force. Nothing is saved unless every check passes.
pub async fn routing_post(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Form(f): Form<RoutingForm>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/routing");
    };
    let Some(can) = who.can::<ManageRouting>() else {
        return forbidden::<ManageRouting>();
    };
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return csrf_refused();
    }
    let files = [f.directory.as_str(), f.rules.as_str(), f.obligations.as_str()];
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut banner = None;
    let mut trial = None;
    match policy::check(&st.taxonomy, files) {
        Err(e) => {
            let field = match policy::FILES.iter().position(|x| *x == e.file) {
                Some(0) => "directory",
                Some(1) => "rules",
                _ => "obligations",
            };
            let (in_force, _) = st.routing.get();
            errors.push((
                field.to_string(),
                format!(
                    "{} line {}: {}. Nothing was saved: {} stays in force.",
                    e.file,
                    e.line,
                    e.reason,
                    if in_force == 0 {
                        "the built-in version".to_string()
                    } else {
                        format!("version {in_force}")
                    }
                ),
            ));
        }
        Ok(tables) if f.intent == "save" => {
            let note = f.note.trim();
            if note.is_empty() {
                errors.push(("note".into(), "Say what changed and why".into()));
            } else {
                let v = candour_store::NewRoutingVersion {
                    files: files.map(str::to_string),
                    labels: [
                        tables.directory.version.clone(),
                        tables.rules.version.clone(),
                        tables.policy.version.clone(),
                    ],
                    note: note.to_string(),
                    now: Utc::now(),
                };
                match st.store.put_routing(&can, v).await {
                    Ok(version) => {
                        st.routing.replace(version, tables);
                        return see_other(&format!("/workspace/routing?saved={version}"));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "saving routing tables failed");
                        errors.push(("note".into(), "Sorry, that did not save. Try again.".into()));
                    }
                }
            }
        }
        Ok(tables) => {
            banner = Some(c(
                "notification-banner",
                json!({ "type": "success", "text": "These tables pass every check. They are not saved yet." }),
            ));
            let reference = f.reference.trim();
            if !reference.is_empty() {
                match try_on(&st, &who, &reference.to_ascii_uppercase(), &tables).await {
                    Ok(t) => trial = Some(t),
                    Err(m) => errors.push(("reference".into(), m)),
                }
            }
        }
    }
    let (token, set) = csrf::token(&headers, st.config.secure_cookies);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let main = routing_main(
        &st,
        &token,
        files,
        &f.reference,
        &f.note,
        &errors,
        if errors.is_empty() { banner } else { None },
        trial,
        &history(&st).await,
    );
    with_cookie(
        page(
            status,
            Page {
                title: "Routing tables",
                back: Some("/workspace"),
                main,
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_left_reads_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        assert_eq!(time_left(now + chrono::Duration::minutes(5), now), "5 min left");
        assert_eq!(time_left(now + chrono::Duration::minutes(190), now), "3 h 10 min left");
        assert_eq!(
            time_left(now - chrono::Duration::hours(52), now),
            "overdue by 2 days 4 h"
        );
        assert_eq!(
            time_left(now - chrono::Duration::hours(25), now),
            "overdue by 1 day 1 h"
        );
    }
}

/// The new-account form.
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    csrf: Option<String>,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation: String,
}

fn users_main(
    token: &str,
    users: &[candour_store::UserRecord],
    f: &UserForm,
    errors: &[(String, String)],
    banner: Option<String>,
) -> String {
    let err = |id: &str| errors.iter().find(|(x, _)| x == id).map(|(_, m)| json!({ "text": m }));
    let rows: Vec<Vec<Value>> = users
        .iter()
        .map(|u| {
            let roles: Vec<String> = u
                .grants
                .iter()
                .map(|g| match &g.org {
                    Some(o) => format!("{} ({})", g.role.label(), o.as_str()),
                    None => format!("{} (all organisations)", g.role.label()),
                })
                .collect();
            vec![
                json!({ "text": u.username }),
                json!({ "text": u.display_name }),
                json!({ "text": roles.join("; ") }),
                json!({ "text": if u.disabled { "Disabled" } else { "Active" } }),
            ]
        })
        .collect();
    let roles: Vec<Value> = candour_core::identity::Role::ALL
        .iter()
        .map(|r| json!({ "value": r.as_str(), "text": r.label(), "checked": f.role == r.as_str() }))
        .collect();
    let input = |id: &str, label: &str, value: &str, extra: Value| {
        let mut p =
            json!({ "id": id, "name": id, "label": { "text": label }, "value": value, "errorMessage": err(id) });
        if let (Some(o), Some(e)) = (p.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        c("input", p)
    };
    format!(
        "{summary}{banner}<h1>Users and roles</h1>{signout}{table}\
         <h2>Add an account</h2><form method=\"post\" action=\"/workspace/users\" novalidate>{csrf}\
         {username}{name}{password}{role}{org}{button}</form>",
        summary = error_summary(errors),
        banner = banner.unwrap_or_default(),
        signout = sign_out_form(token),
        table = c(
            "tables",
            json!({ "caption": format!("Accounts ({})", users.len()), "responsive": true,
                    "head": [{ "text": "Username" }, { "text": "Name" }, { "text": "Roles" }, { "text": "Status" }],
                    "rows": rows }),
        ),
        csrf = csrf::field(token),
        username = input(
            "username",
            "Username",
            &f.username,
            json!({ "hint": { "text": "3 to 64 of a-z, 0-9, full stop, hyphen and underscore" },
                    "autocomplete": "off", "spellcheck": false, "classes": "nhsuk-input--width-20" })
        ),
        name = input(
            "display_name",
            "Full name",
            &f.display_name,
            json!({ "autocomplete": "off" })
        ),
        password = input(
            "password",
            "Initial password",
            "",
            json!({ "type": "password", "autocomplete": "new-password",
                    "hint": { "text": "At least 12 characters. Give it to them in person; they should change it." } })
        ),
        role = c(
            "radios",
            json!({ "idPrefix": "role", "name": "role",
                    "fieldset": { "legend": { "text": "Role", "classes": "nhsuk-fieldset__legend--s" } },
                    "errorMessage": err("role"), "items": roles }),
        ),
        org = input(
            "organisation",
            "Organisation (ODS code)",
            &f.organisation,
            json!({ "hint": { "text": "Leave blank for every organisation (national roles only)" },
                    "classes": "nhsuk-input--width-10" })
        ),
        button = c("button", json!({ "text": "Add the account" })),
    )
}

async fn users_page_with(
    st: &AppState,
    headers: &HeaderMap,
    f: &UserForm,
    errors: &[(String, String)],
    banner: Option<String>,
    status: StatusCode,
) -> Response {
    let users = st.store.users().await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "listing users failed");
        Vec::new()
    });
    let (token, set) = csrf::token(headers, st.config.secure_cookies);
    with_cookie(
        page(
            status,
            Page {
                title: "Users and roles",
                back: Some("/workspace"),
                main: users_main(&token, &users, f, errors, banner),
                has_errors: !errors.is_empty(),
            },
        ),
        set,
    )
}

/// Query for the users page.
#[derive(Debug, Deserialize)]
pub struct UsersParams {
    added: Option<String>,
}

/// `GET /workspace/users` (administrators).
pub async fn users_page(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<UsersParams>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/users");
    };
    if who.can::<candour_core::identity::ManageUsers>().is_none() {
        return forbidden::<candour_core::identity::ManageUsers>();
    }
    let banner = q.added.map(|u| {
        c(
            "notification-banner",
            json!({ "type": "success", "text": format!("Account {u} added.") }),
        )
    });
    users_page_with(&st, &headers, &UserForm::default(), &[], banner, StatusCode::OK).await
}

/// `POST /workspace/users`: the API's checks (`api::add_user`), audited.
pub async fn add_user(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(who) = staff(caller) else {
        return to_sign_in("/workspace/users");
    };
    if who.can::<candour_core::identity::ManageUsers>().is_none() {
        return forbidden::<candour_core::identity::ManageUsers>();
    }
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return csrf_refused();
    }
    let field_error = |e: &candour_core::FieldError| {
        let label = match e.path.as_str() {
            "username" => "The username",
            "display_name" => "The full name",
            "password" => "The password",
            _ => "This",
        };
        (e.path.clone(), format!("{label} {}", e.message))
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    if let Err(v) = crate::api::check_new_user(f.username.trim(), &f.display_name, &f.password) {
        errors.extend(v.errors.iter().map(field_error));
    }
    let role = f.role.parse::<candour_core::identity::Role>().ok();
    if role.is_none() {
        errors.push(("role".into(), "Choose a role".into()));
    }
    let org = match f.organisation.trim() {
        "" => None,
        o => match candour_core::OdsCode::parse(&o.to_ascii_uppercase()) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.push(("organisation".into(), format!("'{o}' is not an ODS code")));
                None
            }
        },
    };
    if let (Some(role), true) = (role, errors.is_empty()) {
        let req = crate::api::CreateUserBody {
            username: f.username.trim().to_string(),
            display_name: f.display_name.clone(),
            password: f.password.clone(),
            grants: vec![candour_core::identity::Grant { role, org }],
        };
        match crate::api::add_user(&st, &who, req).await {
            Ok(u) => return see_other(&format!("/workspace/users?added={}", u.username)),
            Err(ApiError::Invalid(v)) => errors.extend(v.errors.iter().map(field_error)),
            Err(ApiError::Forbidden(m)) => errors.push(("organisation".into(), m)),
            Err(e) => {
                tracing::error!(error = %e, "adding an account failed");
                errors.push(("username".into(), "Sorry, that did not save. Try again.".into()));
            }
        }
    }
    users_page_with(&st, &headers, &f, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
}
