//! STIX 2.1 (OASIS Standard, 10 June 2021) for a cyber incident or suspicious activity.
//!
//! The bundle holds: the reporting organisation (`identity`, with its ODS code); the `incident`, carrying
//! the OASIS Incident Core Extension (determination, investigation status, incident types, criticality,
//! detection method); for each indicator of compromise worth sharing, the cyber observable (a SCO whose
//! id is the UUIDv5 of its id-contributing properties, as §2.9 asks, so the same address or hash gets the
//! same id in every bundle from anyone) and an `indicator` with a STIX pattern; CVE ids as
//! `vulnerability` objects; `observed-data` over the observables; `related-to` relationships; and the TLP
//! marking on everything. Observables that say nothing about an attacker (private ranges, very common
//! domains: [`candour_ioc::excluded`]) are left out. The reporter never appears.

use candour_core::record::ReportRecord;
use candour_ioc::{Ioc, Kind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// STIX's namespace for deterministic cyber-observable ids (§2.9).
pub const SCO_NAMESPACE: Uuid = Uuid::from_bytes([
    0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7,
]);

/// The OASIS Incident Core Extension's definition id.
pub const INCIDENT_CORE: &str = "extension-definition--ef765651-680c-498d-9894-99799f2fa126";

/// Traffic Light Protocol markings (the STIX 2.1 predefined definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tlp {
    /// TLP:CLEAR (TLP 1.0 WHITE).
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER (also used for AMBER+STRICT, which STIX has no predefined marking for).
    Amber,
    /// TLP:RED.
    Red,
}

impl Tlp {
    /// The predefined marking-definition id.
    pub fn marking(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
            Tlp::Green => "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
            Tlp::Amber => "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
            Tlp::Red => "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The deterministic id of a cyber observable: UUIDv5 of the canonical (RFC 8785) JSON of its
/// id-contributing properties. Keys are sorted and the JSON compact, which for these objects is JCS.
pub fn sco_id(sco_type: &str, contributing: &Value) -> String {
    let canonical = serde_json::to_string(contributing).unwrap_or_default();
    format!("{sco_type}--{}", Uuid::new_v5(&SCO_NAMESPACE, canonical.as_bytes()))
}

/// A STIX pattern string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn hash_key(k: Kind) -> Option<&'static str> {
    match k {
        Kind::Md5 => Some("MD5"),
        Kind::Sha1 => Some("SHA-1"),
        Kind::Sha256 => Some("SHA-256"),
        Kind::Sha512 => Some("SHA-512"),
        _ => None,
    }
}

/// The observable and the pattern for one indicator (`None` for CVE ids, which are vulnerabilities).
pub fn observable(i: &Ioc) -> Option<(Value, String)> {
    let (sco_type, contributing, pattern) = match i.kind {
        Kind::Ipv4 => (
            "ipv4-addr",
            json!({ "value": i.value }),
            format!("[ipv4-addr:value = {}]", lit(&i.value)),
        ),
        Kind::Ipv6 => (
            "ipv6-addr",
            json!({ "value": i.value }),
            format!("[ipv6-addr:value = {}]", lit(&i.value)),
        ),
        Kind::Domain => (
            "domain-name",
            json!({ "value": i.value }),
            format!("[domain-name:value = {}]", lit(&i.value)),
        ),
        Kind::Url => (
            "url",
            json!({ "value": i.value }),
            format!("[url:value = {}]", lit(&i.value)),
        ),
        Kind::Email => (
            "email-addr",
            json!({ "value": i.value }),
            format!("[email-addr:value = {}]", lit(&i.value)),
        ),
        Kind::FileName => (
            "file",
            json!({ "name": i.value }),
            format!("[file:name = {}]", lit(&i.value)),
        ),
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => {
            let key = hash_key(i.kind)?;
            (
                "file",
                json!({ "hashes": { key: i.value } }),
                format!("[file:hashes.'{key}' = {}]", lit(&i.value)),
            )
        }
        Kind::Cve => return None,
    };
    let mut sco = contributing.as_object().cloned().unwrap_or_default();
    sco.insert("type".into(), json!(sco_type));
    sco.insert("spec_version".into(), json!("2.1"));
    sco.insert("id".into(), json!(sco_id(sco_type, &contributing)));
    Some((Value::Object(sco), pattern))
}

fn incident_types(classification: &str) -> Vec<&'static str> {
    match classification {
        "ransomware" => vec!["compromised-system", "destruction"],
        "malware" | "vulnerability_exploitation" => vec!["compromised-system"],
        "phishing" | "account_compromise" => vec!["unauthorized-access"],
        "ddos" => vec!["denial-of-service"],
        "data_breach" => vec!["unauthorized-release"],
        "insider" => vec!["unauthorized-use"],
        "supplier_compromise" => vec!["supply-chain-vendor"],
        "loss_theft" => vec!["equipment-theft"],
        _ => vec![],
    }
}

/// A STIX domain or relationship object: the common properties, then its own (already in JSON form).
#[derive(Debug, Clone, Serialize)]
pub struct Sdo<'a> {
    /// Object type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Always "2.1".
    pub spec_version: &'static str,
    /// `<type>--<uuid>`.
    pub id: String,
    /// Created (the report's receipt).
    pub created: &'a str,
    /// Modified (the same: a bundle describes the report as it stands).
    pub modified: &'a str,
    /// The TLP marking.
    pub object_marking_refs: [&'static str; 1],
    /// The type's own properties.
    #[serde(flatten)]
    pub own: Own,
}

/// The properties particular to each object type Candour writes.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Own {
    /// Any object built as JSON (identity, incident, vulnerability, observed-data).
    Json(Map<String, Value>),
    /// An indicator.
    Indicator {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Always malicious-activity.
        indicator_types: [&'static str; 1],
        /// STIX pattern.
        pattern: String,
        /// Always "stix".
        pattern_type: &'static str,
        /// From the report's receipt.
        valid_from: String,
    },
    /// A relationship.
    Relationship {
        /// Always related-to.
        relationship_type: &'static str,
        /// Source.
        source_ref: String,
        /// Target.
        target_ref: String,
    },
}

/// One object in a bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Object<'a> {
    /// A domain or relationship object.
    Sdo(Sdo<'a>),
    /// A cyber observable.
    Sco(Value),
}

/// A STIX bundle (serialise it; it holds borrowed timestamps).
#[derive(Debug, Clone, Serialize)]
pub struct Bundle<'a> {
    /// "bundle".
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `bundle--<uuid>`.
    pub id: String,
    /// The objects.
    pub objects: Vec<Object<'a>>,
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The STIX 2.1 bundle for report `r`, with the observables in `iocs` (from [`candour_ioc::extract`]),
/// marked `tlp`, its timestamps borrowed from `times` (fill it with [`Times::of`]). Ids of the bundle's
/// domain objects derive from the report's id, so exporting the same report twice gives the same ids.
pub fn bundle<'a>(r: &ReportRecord, iocs: &[Ioc], tlp: Tlp, times: &'a Times) -> Bundle<'a> {
    let b = r.report.body();
    let marking = tlp.marking();
    let created = times.created.as_str();
    let derived = |what: &str| Uuid::new_v5(&r.id, what.as_bytes());
    let sdo = |kind: &'static str, id: String, own: Own| {
        Object::Sdo(Sdo {
            kind,
            spec_version: "2.1",
            id,
            created,
            modified: created,
            object_marking_refs: [marking],
            own,
        })
    };
    let mut objects: Vec<Object<'a>> = Vec::with_capacity(3 + iocs.len() * 3);

    let org_id = format!(
        "identity--{}",
        Uuid::new_v5(&SCO_NAMESPACE, format!("ods:{}", b.ods_code).as_bytes())
    );
    objects.push(sdo(
        "identity",
        org_id.clone(),
        Own::Json(json_map(json!({
            "name": b.organisation_name.clone().unwrap_or_else(|| b.ods_code.clone()),
            "identity_class": "organization",
            "sectors": ["healthcare"],
            "external_references": [{ "source_name": "ods", "external_id": b.ods_code }],
        }))),
    ));

    let incident_id = format!("incident--{}", derived("incident"));
    let mut refs = vec![json!({ "source_name": "candour", "external_id": r.reference.to_string() })];
    let cyber = b.cyber.as_ref();
    for lr in cyber.map(|c| c.local_references.as_slice()).unwrap_or_default() {
        let mut e = json!({ "source_name": "local", "external_id": lr.reference });
        if let (Some(u), Some(o)) = (&lr.url, e.as_object_mut()) {
            o.insert("url".into(), json!(u));
        }
        refs.push(e);
    }
    let stage = cyber.map(|c| c.investigation_stage.as_str()).unwrap_or("");
    let mut ext = json!({
        "extension_type": "property-extension",
        "determination": "suspected",
        "investigation_status": match stage { "post_incident" => "closed", "" | "detection" => "new", _ => "open" },
        "criticality": match b.urgency.as_str() { "immediate" => 95, "urgent" => 70, _ => 40 },
        "detection_methods": ["user-reporting"],
    });
    let types = incident_types(cyber.map(|c| c.classification.as_str()).unwrap_or(""));
    if let (false, Some(o)) = (types.is_empty(), ext.as_object_mut()) {
        o.insert("incident_types".into(), json!(types));
    }
    objects.push(sdo(
        "incident",
        incident_id.clone(),
        Own::Json(json_map(json!({
            "created_by_ref": org_id,
            "name": b.title,
            "description": b.narrative,
            "external_references": refs,
            "extensions": { INCIDENT_CORE: ext },
        }))),
    ));

    let mut sco_ids: Vec<String> = Vec::new();
    let mut seen_sco = std::collections::HashSet::new();
    let mut related: Vec<String> = Vec::new();
    let description = format!("Reported to Candour in {} ({}).", r.reference, b.title);
    for i in iocs.iter().filter(|i| candour_ioc::excluded(i).is_none()) {
        if i.kind == Kind::Cve {
            let id = format!("vulnerability--{}", derived(&format!("vulnerability/{}", i.value)));
            objects.push(sdo(
                "vulnerability",
                id.clone(),
                Own::Json(json_map(json!({
                    "name": i.value,
                    "external_references": [{ "source_name": "cve", "external_id": i.value }],
                }))),
            ));
            related.push(id);
            continue;
        }
        let Some((sco, pattern)) = observable(i) else { continue };
        let sco_id = sco.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        let ind_id = format!("indicator--{}", derived(&format!("indicator/{pattern}")));
        objects.push(sdo(
            "indicator",
            ind_id.clone(),
            Own::Indicator {
                name: format!("{} {}", i.kind.as_str().replace('_', " "), i.value),
                description: description.clone(),
                indicator_types: ["malicious-activity"],
                pattern,
                pattern_type: "stix",
                valid_from: times.created.clone(),
            },
        ));
        if seen_sco.insert(sco_id.clone()) {
            sco_ids.push(sco_id);
            objects.push(Object::Sco(sco));
        }
        related.push(ind_id);
    }
    if !sco_ids.is_empty() {
        let od_id = format!("observed-data--{}", derived("observed-data"));
        objects.push(sdo(
            "observed-data",
            od_id.clone(),
            Own::Json(json_map(json!({
                "first_observed": times.seen,
                "last_observed": times.seen,
                "number_observed": 1,
                "object_refs": sco_ids,
            }))),
        ));
        related.push(od_id);
    }
    for target in related {
        let id = format!("relationship--{}", derived(&format!("related-to/{target}")));
        objects.push(sdo(
            "relationship",
            id,
            Own::Relationship {
                relationship_type: "related-to",
                source_ref: target,
                target_ref: incident_id.clone(),
            },
        ));
    }
    Bundle {
        kind: "bundle",
        id: format!("bundle--{}", derived(&format!("bundle/{}", r.revision))),
        objects,
    }
}

/// The timestamps a bundle borrows.
#[derive(Debug, Clone)]
pub struct Times {
    /// When the report was received.
    pub created: String,
    /// When it was seen (detected, else occurred, else received).
    pub seen: String,
}

impl Times {
    /// For report `r`.
    pub fn of(r: &ReportRecord) -> Self {
        let b = r.report.body();
        Times {
            created: ts(r.created_at),
            seen: ts(b.detected_at.or(b.occurred_at).unwrap_or(r.created_at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ioc(kind: Kind, value: &str) -> Ioc {
        Ioc {
            kind,
            value: value.into(),
            start: 0,
            end: 0,
            defanged: false,
        }
    }

    #[test]
    fn observable_ids_match_the_reference_implementations() {
        // Vectors from Python stix2 3.0.2 and the Rust stix2 crate (../shared/domain/cyber-and-disclosure.md).
        let id = |k, v| observable(&ioc(k, v)).unwrap().0["id"].as_str().unwrap().to_string();
        assert_eq!(
            id(Kind::Domain, "evil.example.com"),
            "domain-name--6262c8a9-ac28-50fe-a7df-f5923bb2ee14"
        );
        assert_eq!(
            id(Kind::Ipv4, "203.0.113.7"),
            "ipv4-addr--9ddd739e-87b1-587d-83f2-62ef1130af2f"
        );
        assert_eq!(
            id(Kind::Ipv6, "2001:db8::1"),
            "ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26"
        );
        assert_eq!(
            id(Kind::Url, "https://evil.example.com/login"),
            "url--ee0daf46-384c-54f4-acdc-136ec3adc8d3"
        );
        assert_eq!(
            id(Kind::Email, "ceo@evil.example.com"),
            "email-addr--4c5108e3-9fb3-56e0-9738-57b7f12c4513"
        );
        assert_eq!(
            id(
                Kind::Sha256,
                "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
            ),
            "file--02c74237-f6bc-5e2e-bcbe-e9bf3d69ac64"
        );
    }

    #[test]
    fn patterns_quote_their_literals() {
        let (_, p) = observable(&ioc(Kind::Url, "https://x.example.com/a'b\\c")).unwrap();
        assert_eq!(p, "[url:value = 'https://x.example.com/a\\'b\\\\c']");
        let (_, p) = observable(&ioc(Kind::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709")).unwrap();
        assert_eq!(p, "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
        assert!(observable(&ioc(Kind::Cve, "CVE-2024-3400")).is_none());
    }
}
