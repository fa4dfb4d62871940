//! Vulnerability disclosure: `/.well-known/security.txt` (RFC 9116) and the policy it points to. Researchers
//! report through the same journey as everyone else (the "vulnerability in an NHS system" kind), which
//! routes to the NHS Vulnerability Disclosure Programme and starts the acknowledgement clock.

use super::{page, Page};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How long a served `security.txt` stays valid (RFC 9116 §2.5.5 asks for less than a year).
pub const VALID_DAYS: i64 = 180;

fn base(st: &AppState) -> String {
    st.config
        .public_url
        .clone()
        .unwrap_or_else(|| "http://localhost".into())
        .trim_end_matches('/')
        .to_string()
}

/// The file's text for a Candour at `base`, expiring `VALID_DAYS` after `now`.
pub fn security_txt_text(base: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let expires = (now + chrono::Duration::days(VALID_DAYS)).format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        "# Report a vulnerability in this service or any NHS system: choose \"A vulnerability in an NHS system\".\n\
         Contact: {base}/report\n\
         Expires: {expires}\n\
         Policy: {base}/security/policy\n\
         Preferred-Languages: en\n\
         Canonical: {base}/.well-known/security.txt\n"
    )
}

/// `GET /.well-known/security.txt`
pub async fn security_txt(State(st): State<AppState>) -> Response {
    let mut r = security_txt_text(&base(&st), chrono::Utc::now()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// `GET /security/policy`: the coordinated disclosure policy, its days from the policy data in force.
pub async fn policy(State(st): State<AppState>) -> Response {
    let p = &st.disclosure;
    let main = format!("<h1>Vulnerability disclosure policy</h1>\
        <p>Thank you for helping keep NHS systems, and the patients who depend on them, safe.</p>\
        <h2>How to report</h2>\
        <p><a href=\"/report\">Report the vulnerability</a> and choose <strong>A vulnerability in an NHS system</strong>. \
        You do not need an account, and you can stay anonymous. Keep the tracking link you are given: it shows \
        when a person has acknowledged your report and lets you add information.</p>\
        <h2>What happens next</h2>\
        <ul class=\"nhsuk-list nhsuk-list--bullet\">\
        <li>A named person acknowledges your report within {ack} days.</li>\
        <li>We work with the supplier and the NHS Vulnerability Disclosure Programme on a fix.</li>\
        <li>We aim to publish an advisory within {default} days, or {exploited} days if the vulnerability is being exploited.</li>\
        <li><strong>If patients could be harmed and nothing controls the risk, we do not wait</strong>: the \
        Clinical Safety Officer is told at once, the report takes the urgent route, and users are told within {patient} days at most.</li>\
        </ul>\
        <h2>Please</h2>\
        <ul class=\"nhsuk-list nhsuk-list--bullet\">\
        <li>Do not access, change or keep patient data beyond what you need to show the problem, and never \
        include patient details in your report.</li>\
        <li>Do not disrupt services that patients depend on: no denial of service, no testing against \
        clinical devices in use.</li>\
        <li>Give us the time above before you publish.</li>\
        </ul>\
        <p>We will not pursue anyone who reports in good faith and follows this policy.</p>",
        ack = p.ack_days,
        default = p.default_days,
        exploited = p.exploited_days,
        patient = p.patient_risk_days,
    );
    page(
        StatusCode::OK,
        Page {
            title: "Vulnerability disclosure policy",
            back: Some("/"),
            main,
            has_errors: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn security_txt_has_every_required_field_and_expires_within_a_year() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let t = security_txt_text("https://candour.example.nhs.uk", now);
        assert!(t.contains("\nContact: https://candour.example.nhs.uk/report\n"));
        assert!(t.contains("\nExpires: 2027-05-20T12:00:00Z\n"));
        assert!(t.contains("\nPolicy: https://candour.example.nhs.uk/security/policy\n"));
        assert!(t.contains("\nCanonical: https://candour.example.nhs.uk/.well-known/security.txt\n"));
        assert!(t.contains("\nPreferred-Languages: en\n"));
        for line in t.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.split_once(": ").is_some(), "field: value, got {line:?}");
        }
    }
}
