//! Indicators of compromise from pasted text.
//!
//! A cyber analyst pastes an alert, a mail header or a log excerpt; [`extract`] finds the observables in it
//! — IPv4 and IPv6 addresses, domains, URLs, email addresses, MD5/SHA-1/SHA-256/SHA-512 hashes, file names
//! and CVE ids — including defanged forms (`hxxp://`, `evil[.]com`, `user[@]host`), and returns each typed,
//! refanged, normalised (lower-case hosts and hashes, upper-case CVE ids) and validated. [`parse`] checks a
//! single value a person typed, naming what is wrong. [`excluded`] says why an observable should not be
//! used to correlate incidents (private ranges, documentation ranges, very common domains).
//!
//! One pass over the text, splitting on whitespace and quoting characters; most words are rejected after
//! looking at a byte or two, so the scan runs at memory speed (see `candour bench ioc`). Never panics on
//! any input (property-tested).

use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// What kind of observable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// IPv4 address.
    Ipv4,
    /// IPv6 address.
    Ipv6,
    /// Domain name.
    Domain,
    /// URL.
    Url,
    /// Email address.
    Email,
    /// MD5 hash.
    Md5,
    /// SHA-1 hash.
    Sha1,
    /// SHA-256 hash.
    Sha256,
    /// SHA-512 hash.
    Sha512,
    /// File name.
    FileName,
    /// CVE id.
    Cve,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Domain,
        Kind::Url,
        Kind::Email,
        Kind::Md5,
        Kind::Sha1,
        Kind::Sha256,
        Kind::Sha512,
        Kind::FileName,
        Kind::Cve,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Md5 => "md5",
            Kind::Sha1 => "sha1",
            Kind::Sha256 => "sha256",
            Kind::Sha512 => "sha512",
            Kind::FileName => "file_name",
            Kind::Cve => "cve",
        }
    }

    /// From the wire name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One observable found in text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ioc {
    /// Kind.
    pub kind: Kind,
    /// Normalised value (refanged).
    pub value: String,
    /// Byte offsets of the text it came from.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// It was written defanged (`hxxp`, `[.]`, …).
    pub defanged: bool,
}

/// Why a typed value is not a valid observable of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// A sentence a person can act on.
    pub reason: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Invalid {}

/// File extensions that make a token a file name rather than a domain (`com` is left out: a domain far
/// more often than a DOS program).
const FILE_EXTS: &[&str] = &[
    "exe", "dll", "scr", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "hta", "msi", "msp", "lnk",
    "jar", "py", "sh", "elf", "bin", "so", "dylib", "apk", "ipa", "dmg", "iso", "img", "vhd", "vhdx", "zip", "rar",
    "7z", "gz", "tgz", "tar", "cab", "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "xlsb", "ppt", "pptx",
    "pptm", "rtf", "one", "html", "htm", "svg", "eml", "msg", "txt", "csv", "log", "dat", "tmp", "sys", "drv", "ocx",
    "cpl", "inf", "reg", "chm", "png", "jpg", "jpeg", "gif", "php", "asp", "aspx", "jsp",
];

/// Generic top-level domains accepted besides every two-letter country code.
const GTLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "info",
    "biz",
    "edu",
    "gov",
    "mil",
    "int",
    "arpa",
    "io",
    "app",
    "dev",
    "xyz",
    "top",
    "online",
    "site",
    "club",
    "shop",
    "store",
    "live",
    "tech",
    "cloud",
    "link",
    "click",
    "icu",
    "vip",
    "work",
    "space",
    "website",
    "fun",
    "pro",
    "mobi",
    "name",
    "asia",
    "tel",
    "onion",
    "support",
    "services",
    "email",
    "digital",
    "network",
    "systems",
    "solutions",
    "health",
    "care",
    "nhs",
    "zip",
    "mov",
    "xin",
    "win",
    "bid",
    "loan",
    "date",
    "download",
    "stream",
    "review",
    "party",
    "trade",
    "science",
    "cyou",
    "buzz",
    "monster",
    "rest",
    "bar",
    "life",
    "world",
    "today",
    "news",
    "blog",
    "page",
    "media",
    "group",
    "global",
    "london",
    "amazon",
    "google",
    "microsoft",
    "azure",
    "windows",
    "office",
    "apple",
];

/// Very common domains: seen in every paste, they would link unrelated incidents.
const COMMON_DOMAINS: &[&str] = &[
    "microsoft.com",
    "office.com",
    "office365.com",
    "outlook.com",
    "live.com",
    "windows.net",
    "azure.com",
    "google.com",
    "gmail.com",
    "googleapis.com",
    "gstatic.com",
    "apple.com",
    "icloud.com",
    "amazon.com",
    "amazonaws.com",
    "cloudflare.com",
    "akamai.net",
    "github.com",
    "linkedin.com",
    "facebook.com",
    "twitter.com",
    "x.com",
    "youtube.com",
    "wikipedia.org",
    "nhs.uk",
    "nhs.net",
    "gov.uk",
    "mozilla.org",
    "w3.org",
    "example.com",
    "example.org",
    "example.net",
];

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'|' | b',' | b';' | b'`' | b'\\')
}

fn trim_token(s: &str, start: usize) -> (&str, usize) {
    let lead: &[char] = &['(', '[', '{', '*', '!', '?', ':', '='];
    let trail: &[char] = &[')', ']', '}', '.', ':', '!', '?', '*', '='];
    let mut t = s;
    let mut off = start;
    // Keep a bracket that opens a defanging mark ("[.]") or an IPv6 literal only when it is balanced.
    loop {
        let before = t.len();
        if let Some(rest) = t.strip_prefix(lead) {
            off += t.len() - rest.len();
            t = rest;
        }
        if t.ends_with(trail) && !t.ends_with("[.]") && !t.ends_with("(.)") {
            t = &t[..t.len() - 1];
        }
        if t.len() == before {
            return (t, off);
        }
    }
}

/// Does the token carry a defanging mark: a bracket, or `hxxp`/`fxp`?
fn marked(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| match c {
        b'[' | b'(' | b'{' => true,
        b'x' | b'X' => {
            b.get(i + 1).is_some_and(|n| n.eq_ignore_ascii_case(&b'p'))
                && i > 0
                && matches!(b[i - 1].to_ascii_lowercase(), b'x' | b'f')
        }
        _ => false,
    })
}

/// Undo defanging; `None` when the token was not defanged.
fn refang(t: &str) -> Option<String> {
    let marked = marked(t.as_bytes());
    if !marked {
        return None;
    }
    let mut s = t.to_string();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("[at]", "@"),
        ("(at)", "@"),
        ("[/]", "/"),
    ] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    let lower = s.to_ascii_lowercase();
    for (from, to) in [("hxxps://", "https://"), ("hxxp://", "http://"), ("fxp://", "ftp://")] {
        if lower.starts_with(from) {
            s = format!("{to}{}", &s[from.len()..]);
        }
    }
    (s != t).then_some(s)
}

fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

/// A syntactically valid domain with a known top-level domain, lower-cased.
fn domain(s: &str) -> Option<String> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 || s.len() < 4 || !s.contains('.') {
        return None;
    }
    let mut labels = s.split('.');
    let tld = labels.next_back()?;
    if !labels.all(valid_label) {
        return None;
    }
    let known = (tld.len() == 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
        || (tld.len() > 2 && GTLDS.iter().any(|g| g.eq_ignore_ascii_case(tld)));
    known.then(|| s.to_ascii_lowercase())
}

fn ipv4(s: &str) -> Option<Ipv4Addr> {
    if s.len() < 7 || s.len() > 15 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse().ok()
}

fn ipv6(s: &str) -> Option<Ipv6Addr> {
    let s = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(s);
    if s.len() < 3 || s.matches(':').count() < 2 || !s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    {
        return None;
    }
    // The unspecified address (`::`, also written `0::0`) says nothing about an attacker, and its short
    // form would not be accepted back as typed input (found by fuzzing).
    s.parse().ok().filter(|ip: &Ipv6Addr| !ip.is_unspecified())
}

fn host_ok(h: &str) -> bool {
    domain(h).is_some() || ipv4(h).is_some() || ipv6(h).is_some()
}

/// A URL with a valid host: scheme and host lower-cased, the rest as written.
fn url(s: &str) -> Option<String> {
    // No control characters or spaces: they are not part of any URL (found by fuzzing: a vertical tab
    // was kept inside an extracted URL, which typed input then trimmed away).
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (scheme, rest) = s.split_once("://")?;
    let scheme_l = scheme.to_ascii_lowercase();
    if !matches!(scheme_l.as_str(), "http" | "https" | "ftp" | "sftp" | "ws" | "wss") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        hostport.split_once(']').map(|(h, _)| format!("{h}]"))?
    } else {
        hostport
            .rsplit_once(':')
            .map_or(hostport, |(h, p)| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    h
                } else {
                    hostport
                }
            })
            .to_string()
    };
    if !host_ok(&host) {
        return None;
    }
    let lower_authority = authority.to_ascii_lowercase();
    Some(format!("{scheme_l}://{lower_authority}{}", &rest[end..]))
}

fn email(s: &str) -> Option<String> {
    let (local, dom) = s.split_once('@')?;
    let local = local.trim_start_matches(['(', '[', '{', '<', ':']);
    if local.is_empty()
        || local.len() > 64
        || !local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        || local.starts_with('.')
        || local.ends_with('.')
    {
        return None;
    }
    let d = domain(dom)?;
    Some(format!("{}@{d}", local.to_ascii_lowercase()))
}

fn cve(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 13 || !b[..4].eq_ignore_ascii_case(b"cve-") {
        return None;
    }
    let (year, num) = s[4..].split_once('-')?;
    let ok = year.len() == 4
        && year.bytes().all(|c| c.is_ascii_digit())
        && (4..=7).contains(&num.len())
        && num.bytes().all(|c| c.is_ascii_digit());
    ok.then(|| s.to_ascii_uppercase())
}

fn hash(s: &str) -> Option<(Kind, String)> {
    let kind = match s.len() {
        32 => Kind::Md5,
        40 => Kind::Sha1,
        64 => Kind::Sha256,
        128 => Kind::Sha512,
        _ => return None,
    };
    s.bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then(|| (kind, s.to_ascii_lowercase()))
}

fn file_name(s: &str) -> Option<String> {
    let (stem, ext) = s.rsplit_once('.')?;
    if stem.is_empty() || s.contains('/') || s.contains('@') || s.len() > 255 {
        return None;
    }
    let ok = FILE_EXTS.iter().any(|e| e.eq_ignore_ascii_case(ext))
        && stem.chars().all(|c| c.is_alphanumeric() || "._-~$#+()[] ".contains(c));
    ok.then(|| s.to_string())
}

/// Classify one (refanged, trimmed) token.
fn classify(t: &str) -> Option<(Kind, String)> {
    let b = t.as_bytes();
    let first = *b.first()?;
    if b.len() >= 7 && t.contains("://") {
        return url(t).map(|u| (Kind::Url, u));
    }
    if (first == b'c' || first == b'C') && b.len() >= 13 {
        if let Some(c) = cve(t) {
            return Some((Kind::Cve, c));
        }
    }
    if matches!(b.len(), 32 | 40 | 64 | 128) {
        if let Some(h) = hash(t) {
            return Some(h);
        }
    }
    if t.contains('@') {
        return email(t).map(|e| (Kind::Email, e));
    }
    if first.is_ascii_digit() {
        let bare = match t.rsplit_once(':') {
            Some((h, p)) if t.matches(':').count() == 1 && p.bytes().all(|c| c.is_ascii_digit()) => h,
            _ => t,
        };
        if let Some(ip) = ipv4(bare) {
            return Some((Kind::Ipv4, ip.to_string()));
        }
    }
    if t.contains(':') {
        return ipv6(t).map(|ip| (Kind::Ipv6, ip.to_string()));
    }
    if t.contains('.') {
        if let Some(f) = file_name(t) {
            return Some((Kind::FileName, f));
        }
        return domain(t).map(|d| (Kind::Domain, d));
    }
    None
}

/// Every observable in `text`, in order of appearance (repeats included: see [`unique`]).
pub fn extract(text: &str) -> Vec<Ioc> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        while i < n && is_delim(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < n && !is_delim(bytes[i]) {
            i += 1;
        }
        // Delimiters are ASCII, so both ends are character boundaries.
        let Some(raw) = text.get(start..i) else { continue };
        // Cheap rejection: every observable has a '.', ':' or '@', or is a long hex string or a CVE id.
        if raw.len() < 4 || !raw.bytes().any(|b| matches!(b, b'.' | b':' | b'@' | b'[' | b'-')) && raw.len() < 32 {
            continue;
        }
        let (mut tok, mut off) = trim_token(raw, start);
        // `key=value` (log lines): the value, unless the '=' is inside a URL's query.
        if let Some(eq) = tok.find('=') {
            if tok.find("://").is_none_or(|scheme| scheme > eq) {
                let (t, o) = trim_token(&tok[eq + 1..], off + eq + 1);
                (tok, off) = (t, o);
            }
        }
        if tok.is_empty() {
            continue;
        }
        let refanged = refang(tok);
        let t = refanged.as_deref().unwrap_or(tok);
        if let Some((kind, value)) = classify(t) {
            out.push(Ioc {
                kind,
                value,
                start: off,
                end: off + tok.len(),
                defanged: refanged.is_some(),
            });
        }
    }
    out
}

/// The distinct observables in `found` (first occurrence of each kind and value kept, in order).
pub fn unique(found: Vec<Ioc>) -> Vec<Ioc> {
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|i| seen.insert((i.kind, i.value.clone())))
        .collect()
}

/// Check one value a person typed as `kind` (defanged forms accepted): the normalised value, or why not.
pub fn parse(kind: Kind, value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    let refanged = refang(v);
    let t = refanged.as_deref().unwrap_or(v);
    let bad = |what: &str| Invalid {
        reason: format!("'{}' is not {what}", v.chars().take(80).collect::<String>()),
    };
    match kind {
        Kind::Ipv4 => ipv4(t)
            .map(|i| i.to_string())
            .ok_or_else(|| bad("an IPv4 address, for example 203.0.113.7")),
        Kind::Ipv6 => ipv6(t)
            .map(|i| i.to_string())
            .ok_or_else(|| bad("an IPv6 address, for example 2001:db8::1")),
        Kind::Domain => {
            domain(t).ok_or_else(|| bad("a domain name with a known top-level domain, for example evil.example.com"))
        }
        Kind::Url => url(t).ok_or_else(|| bad("a URL with a valid host, for example https://evil.example.com/login")),
        Kind::Email => email(t).ok_or_else(|| bad("an email address")),
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => match hash(t) {
            Some((k, h)) if k == kind => Ok(h),
            _ => Err(bad(match kind {
                Kind::Md5 => "an MD5 hash (32 hexadecimal characters)",
                Kind::Sha1 => "a SHA-1 hash (40 hexadecimal characters)",
                Kind::Sha256 => "a SHA-256 hash (64 hexadecimal characters)",
                _ => "a SHA-512 hash (128 hexadecimal characters)",
            })),
        },
        Kind::FileName => {
            let ok = !t.is_empty() && t.len() <= 255 && !t.contains(['/', '\\']) && !t.chars().any(char::is_control);
            if ok {
                Ok(t.to_string())
            } else {
                Err(bad("a file name (no folders, at most 255 characters)"))
            }
        }
        Kind::Cve => cve(t).ok_or_else(|| bad("a CVE id, for example CVE-2024-3400")),
    }
}

fn ip_excluded(ip: std::net::IpAddr) -> Option<&'static str> {
    match ip {
        std::net::IpAddr::V4(a) => {
            let o = a.octets();
            if a.is_private() {
                Some("a private address (RFC 1918)")
            } else if a.is_loopback() {
                Some("a loopback address")
            } else if a.is_link_local() {
                Some("a link-local address")
            } else if a.is_unspecified() || a.is_broadcast() || a.is_multicast() {
                Some("not a host address")
            } else if matches!(o, [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]) {
                Some("a documentation address (RFC 5737)")
            } else if o[0] == 100 && (64..128).contains(&o[1]) {
                Some("a carrier-grade NAT address")
            } else {
                None
            }
        }
        std::net::IpAddr::V6(a) => {
            let s = a.segments();
            if a.is_loopback() || a.is_unspecified() {
                Some("a loopback or unspecified address")
            } else if (s[0] & 0xfe00) == 0xfc00 {
                Some("a unique local address")
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Some("a link-local address")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("a documentation address (RFC 3849)")
            } else if a.is_multicast() {
                Some("not a host address")
            } else {
                None
            }
        }
    }
}

fn domain_excluded(d: &str) -> Option<&'static str> {
    COMMON_DOMAINS
        .iter()
        .any(|c| d == *c || d.strip_suffix(c).is_some_and(|p| p.ends_with('.')))
        .then_some("a very common domain")
}

/// Why an observable should not link incidents together (it says nothing about an attacker), if so.
pub fn excluded(i: &Ioc) -> Option<&'static str> {
    match i.kind {
        Kind::Ipv4 | Kind::Ipv6 => i.value.parse().ok().and_then(ip_excluded),
        Kind::Domain => domain_excluded(&i.value),
        Kind::Email => i.value.split_once('@').and_then(|(_, d)| domain_excluded(d)),
        Kind::Url => {
            let rest = i.value.split_once("://").map_or("", |(_, r)| r);
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            let host = host
                .rsplit_once(':')
                .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                .map_or(host, |(h, _)| h);
            host.parse()
                .ok()
                .and_then(ip_excluded)
                .or_else(|| domain_excluded(host))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
