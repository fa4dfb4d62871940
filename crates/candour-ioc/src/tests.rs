use super::*;
use proptest::prelude::*;

fn kinds(text: &str) -> Vec<(Kind, String)> {
    extract(text).into_iter().map(|i| (i.kind, i.value)).collect()
}

#[test]
fn finds_every_kind_in_a_realistic_paste() {
    let paste = "From: \"IT Support\" <it-support@nhs-mail-verify.com>\n\
        Clicked hxxps://login-nhs[.]example-portal[.]xyz/owa/auth.php?u=ward7 at 09:14; beacon to 185.220.101.4:443 \
        and [2a00:1450:4009:81f::200e]. Dropped invoice_0423.xlsm (SHA256 \
        3F2C6A1E9B8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D3C2B), md5 d41d8cd98f00b204e9800998ecf8427e, \
        sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709. C2 domain update.evil-cdn[.]ru. Exploits cve-2024-3400.";
    let got = kinds(paste);
    let want = [
        (Kind::Email, "it-support@nhs-mail-verify.com"),
        (Kind::Url, "https://login-nhs.example-portal.xyz/owa/auth.php?u=ward7"),
        (Kind::Ipv4, "185.220.101.4"),
        (Kind::Ipv6, "2a00:1450:4009:81f::200e"),
        (Kind::FileName, "invoice_0423.xlsm"),
        (
            Kind::Sha256,
            "3f2c6a1e9b8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",
        ),
        (Kind::Md5, "d41d8cd98f00b204e9800998ecf8427e"),
        (Kind::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (Kind::Domain, "update.evil-cdn.ru"),
        (Kind::Cve, "CVE-2024-3400"),
    ];
    for (k, v) in want {
        assert!(got.contains(&(k, v.to_string())), "missing {k:?} {v}: {got:?}");
    }
    assert_eq!(got.len(), want.len(), "nothing else: {got:?}");
}

#[test]
fn defanged_forms_are_refanged_and_flagged() {
    let found = extract("hxxp://bad[.]example[.]com/x and evil(.)org and user[@]phish[.]co[.]uk and 10[.]0[.]0[.]1");
    let v: Vec<(&str, bool)> = found.iter().map(|i| (i.value.as_str(), i.defanged)).collect();
    assert_eq!(
        v,
        [
            ("http://bad.example.com/x", true),
            ("evil.org", true),
            ("user@phish.co.uk", true),
            ("10.0.0.1", true)
        ]
    );
}

#[test]
fn log_lines_give_up_their_values() {
    let text = "DENY src=185.220.101.4 url=hxxps://evil[.]com/a?b=c host=update.evil-cdn.ru sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709";
    let got = kinds(text);
    assert_eq!(
        got,
        [
            (Kind::Ipv4, "185.220.101.4".to_string()),
            (Kind::Url, "https://evil.com/a?b=c".to_string()),
            (Kind::Domain, "update.evil-cdn.ru".to_string()),
            (Kind::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709".to_string()),
        ]
    );
    let i = &extract(text)[0];
    assert_eq!(&text[i.start..i.end], "185.220.101.4");
}

#[test]
fn spans_point_at_the_text_as_written() {
    let text = "see (evil[.]com).";
    let i = &extract(text)[0];
    assert_eq!(&text[i.start..i.end], "evil[.]com");
}

#[test]
fn prose_versions_and_near_misses_are_not_indicators() {
    for not in [
        "Version 24.3.1 of the EPR",
        "e.g. i.e. etc.",
        "999.1.1.1",
        "1.2.3",
        "01.02.03.04",
        "the file report.final was saved",
        "hash abcdef",
        "CVE-24-1",
        "ward7@",
        "@home",
        "http://not a url",
        "ftp://",
        "12:30 and 09:14:55",
    ] {
        assert!(extract(not).is_empty(), "{not:?} gave {:?}", extract(not));
    }
}

#[test]
fn typed_values_are_checked_with_a_reason() {
    assert_eq!(parse(Kind::Ipv4, " 8.8.8.8 ").unwrap(), "8.8.8.8");
    assert!(parse(Kind::Ipv4, "256.1.1.1")
        .unwrap_err()
        .reason
        .contains("not an IPv4 address"));
    assert_eq!(parse(Kind::Domain, "Evil[.]COM").unwrap(), "evil.com");
    assert!(parse(Kind::Domain, "localhost").is_err());
    assert_eq!(
        parse(Kind::Url, "hxxps://A.Example.com/Path").unwrap(),
        "https://a.example.com/Path"
    );
    assert!(parse(Kind::Sha256, "d41d8cd98f00b204e9800998ecf8427e")
        .unwrap_err()
        .reason
        .contains("SHA-256"));
    assert_eq!(
        parse(Kind::Md5, "D41D8CD98F00B204E9800998ECF8427E").unwrap(),
        "d41d8cd98f00b204e9800998ecf8427e"
    );
    assert_eq!(parse(Kind::Cve, "cve-2021-44228").unwrap(), "CVE-2021-44228");
    assert!(parse(Kind::FileName, "../../etc/passwd").is_err());
    assert_eq!(parse(Kind::Ipv6, "2001:DB8::1").unwrap(), "2001:db8::1");
}

#[test]
fn private_documentation_and_common_observables_do_not_correlate() {
    let e = |s: &str| extract(s).first().and_then(excluded);
    assert!(e("10.1.2.3").is_some());
    assert!(e("192.168.0.10").is_some());
    assert!(e("127.0.0.1").is_some());
    assert!(e("203.0.113.9").is_some());
    assert!(e("fe80::1").is_some());
    assert!(e("login.microsoftonline.microsoft.com").is_some());
    assert!(e("https://outlook.office.com/mail").is_some());
    assert!(e("phish@nhs.net").is_some());
    assert!(e("185.220.101.4").is_none());
    assert!(e("update.evil-cdn.ru").is_none());
    assert!(e("notmicrosoft.com").is_none(), "a look-alike is not the real thing");
}

#[test]
fn repeats_are_kept_in_order_and_unique_keeps_the_first() {
    let all = extract("1.2.3.4 evil.com 1.2.3.4 EVIL.com");
    assert_eq!(all.len(), 4);
    let u = unique(all);
    assert_eq!(u.len(), 2);
    assert_eq!(u[0].start, 0);
}

proptest! {
    #[test]
    fn never_panics_and_spans_are_in_bounds(s in "\\PC{0,400}") {
        for i in extract(&s) {
            prop_assert!(i.start <= i.end && i.end <= s.len());
            prop_assert!(s.get(i.start..i.end).is_some());
            prop_assert!(!i.value.is_empty());
        }
    }

    #[test]
    fn never_panics_on_indicator_shaped_noise(s in "[0-9a-fA-F:.\\[\\]()@/hxtps -]{0,200}") {
        for i in extract(&s) {
            prop_assert_eq!(parse(i.kind, &i.value).is_ok() || i.kind == Kind::Url || i.kind == Kind::FileName, true);
        }
    }

    #[test]
    fn whatever_is_found_parses_back_to_itself(s in "\\PC{0,200}") {
        for i in extract(&s) {
            if let Ok(v) = parse(i.kind, &i.value) {
                prop_assert_eq!(v, i.value);
            }
        }
    }
}

#[test]
fn the_unspecified_ipv6_address_is_neither_extracted_nor_accepted() {
    // Found by fuzzing: "0::0" was extracted as "::", which `parse` then refused.
    assert!(
        extract("0::0: and ::").iter().all(|i| i.kind != Kind::Ipv6),
        "{:?}",
        extract("0::0: and ::")
    );
    assert!(parse(Kind::Ipv6, "0::0").is_err());
    assert_eq!(parse(Kind::Ipv6, "2001:DB8::1").as_deref(), Ok("2001:db8::1"));
}

#[test]
fn urls_never_carry_control_characters() {
    assert!(extract("ftp://asc.as/a\u{b}b\0c")
        .iter()
        .all(|i| !i.value.contains(|c: char| c.is_control())));
    assert!(parse(Kind::Url, "https://evil.example/a\u{b}b").is_err());
}
