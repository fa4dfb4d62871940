//! CSRF protection for every form: a random token in an HttpOnly cookie, echoed in a hidden field and
//! compared in constant time (double submit), plus an `Origin` check when the browser sends one.

use axum::http::{header, HeaderMap};

/// The cookie holding the token.
pub const COOKIE: &str = "candour_csrf";
/// The hidden form field holding the token.
pub const FIELD: &str = "csrf";

/// The request's token, or a new one (and the `Set-Cookie` header to store it).
pub fn token(headers: &HeaderMap, secure: bool) -> (String, Option<String>) {
    match super::cookie(headers, COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(t) => (t, None),
        None => {
            // 64 hex characters standing for 256 random bits (the stored form of a fresh token).
            let (_, t) = crate::auth::new_token();
            let c = super::set_cookie(COOKIE, &t, 60 * 60 * 12, secure);
            (t, Some(c))
        }
    }
}

/// The hidden field carrying `token`.
pub fn field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{FIELD}\" value=\"{}\">",
        super::esc(token)
    )
}

/// Whether a form post carries the right token (and, if the browser says where it came from, came from
/// this site).
pub fn check(headers: &HeaderMap, sent: Option<&str>) -> bool {
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split("://").nth(1).unwrap_or(origin);
        if origin != "null" && origin_host != host {
            return false;
        }
    }
    match (super::cookie(headers, COOKIE), sent) {
        (Some(c), Some(s)) if !c.is_empty() => constant_time_eq(c.as_bytes(), s.as_bytes()),
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(cookie: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        h.insert(header::HOST, HeaderValue::from_static("candour.test"));
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn the_token_must_match_the_cookie_and_the_origin_must_be_ours() {
        let t = "a".repeat(64);
        let h = headers(&format!("{COOKIE}={t}"), Some("https://candour.test"));
        assert!(check(&h, Some(&t)));
        assert!(!check(&h, Some(&"b".repeat(64))));
        assert!(!check(&h, None));
        let evil = headers(&format!("{COOKIE}={t}"), Some("https://evil.example"));
        assert!(!check(&evil, Some(&t)));
        let no_cookie = headers("other=1", None);
        assert!(!check(&no_cookie, Some(&t)));
    }

    #[test]
    fn a_missing_or_malformed_cookie_gets_a_fresh_token() {
        let (t, set) = token(&headers("candour_csrf=short", None), true);
        assert_eq!(t.len(), 64);
        let set = set.unwrap();
        assert!(set.contains("HttpOnly") && set.contains("Secure"));
        let (again, none) = token(&headers(&format!("{COOKIE}={t}"), None), true);
        assert_eq!((again, none), (t, None));
    }
}
