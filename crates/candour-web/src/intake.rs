//! Intake: from a submitted body to a report ready to store. Shared by the HTTP handler and the CLI, so
//! every way in applies the same steps: patient identifiers removed from every shared free-text field
//! (the originals are not kept), validation against the taxonomy in force, the organisation's sign-in
//! policy, and the routing decision (made once, at receipt, and kept with the report).

use crate::error::ApiError;
use crate::AppState;
use candour_core::identity::Principal;
use candour_core::report::ReportBody;
use candour_core::routing::{decide, OrgFacts};
use candour_redact::{Kind, Span};
use candour_store::{CreateReport, Idempotency};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What redaction removed from one field (kinds only: never the removed text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RedactionNote {
    /// The field, e.g. `narrative`.
    pub field: String,
    /// Placeholder kinds, e.g. `NHS_NUMBER`, `NAME`, one per span.
    pub types: Vec<String>,
    /// Where, in the text as submitted (Unicode scalar values; end exclusive).
    pub spans: Vec<(usize, usize)>,
}

/// Replace patient identifiers in every shared free-text field of `body`, names found in one field being
/// removed from all. Returns what was removed, field by field.
pub fn redact(r: &candour_redact::Redactor, body: &mut ReportBody) -> Vec<RedactionNote> {
    redact_releasing(r, body, &[]).0
}

/// Kinds of detection a reporter may undo in text they typed, when it is not about a patient ("Lorenzo"
/// the EPR taken for a surname, an order number taken for a hospital number). Never the identifiers the
/// engine checks deterministically: NHS/CHI/H&C and NI numbers, postcodes, phones, emails, dates of birth.
pub const RELEASABLE: &[Kind] = &[
    Kind::Name,
    Kind::Date,
    Kind::Age,
    Kind::Address,
    Kind::HospitalNumber,
    Kind::Url,
];

/// One field as it will be shared, and the words in it the reporter may put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPreview {
    /// The field, e.g. `narrative`.
    pub field: String,
    /// The text as it will be stored.
    pub redacted: String,
    /// Removed words the reporter may put back: (the words, the kind), first occurrence each.
    pub releasable: Vec<(String, Kind)>,
    /// Words put back in this field.
    pub released: Vec<String>,
}

fn apply(chars: &[char], spans: &[&Span]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut at = 0;
    for s in spans {
        out.extend(&chars[at..s.start]);
        out.push_str(s.kind.placeholder());
        at = s.end;
    }
    out.extend(&chars[at..]);
    out
}

/// As [`redact`], leaving in place the words in `released` (exactly as typed) where the detection was of a
/// [`RELEASABLE`] kind. Returns the notes, a preview per field with removals, and how many removals were
/// undone.
pub fn redact_releasing(
    r: &candour_redact::Redactor,
    body: &mut ReportBody,
    released: &[String],
) -> (Vec<RedactionNote>, Vec<FieldPreview>, usize) {
    let mut fields = body.shared_free_text_mut();
    let texts: Vec<String> = fields.iter().map(|(_, t)| t.to_string()).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let out = r.redact_all(&refs);
    let mut notes = Vec::new();
    let mut previews = Vec::new();
    let mut undone = 0;
    for (((path, text), red), original) in fields.iter_mut().zip(out).zip(&texts) {
        if red.spans.is_empty() {
            continue;
        }
        let chars: Vec<char> = original.chars().collect();
        let word = |s: &Span| chars[s.start..s.end].iter().collect::<String>();
        let mut kept = Vec::new();
        let mut releasable: Vec<(String, Kind)> = Vec::new();
        let mut put_back = Vec::new();
        for s in &red.spans {
            let w = word(s);
            // A merged span keeps one kind ("12 Acacia Avenue, Leeds LS1 4AB" is an ADDRESS holding a
            // postcode): it may come back only if nothing in it, looked at alone, is of a kind that never
            // comes back, and never when the detectors could not run.
            let may = RELEASABLE.contains(&s.kind)
                && s.reason != candour_redact::UNAVAILABLE_REASON
                && r.find(&w).iter().all(|x| RELEASABLE.contains(&x.kind));
            if may && !releasable.iter().any(|(x, _)| *x == w) {
                releasable.push((w.clone(), s.kind));
            }
            if may && released.contains(&w) {
                undone += 1;
                if !put_back.contains(&w) {
                    put_back.push(w);
                }
            } else {
                kept.push(s);
            }
        }
        previews.push(FieldPreview {
            field: path.clone(),
            redacted: apply(&chars, &kept),
            releasable,
            released: put_back,
        });
        if kept.is_empty() {
            continue;
        }
        notes.push(RedactionNote {
            field: path.clone(),
            types: kept.iter().map(|s| s.kind.as_str().to_string()).collect(),
            spans: kept.iter().map(|s| (s.start, s.end)).collect(),
        });
        **text = apply(&chars, &kept);
    }
    (notes, previews, undone)
}

/// Facts assumed for an organisation Candour has no record of. Both true: routing then starts the NIS and
/// DSPT decision clocks, and a person records why a notification is not needed, rather than a legal
/// duty being missed because the organisation was not configured.
pub const UNKNOWN_ORG: OrgFacts = OrgFacts { oes: true, dspt: true };

/// Store a prepared report and count it (a replayed Idempotency-Key is not a new report).
pub async fn store(st: &AppState, req: CreateReport) -> Result<candour_store::Created, candour_store::StoreError> {
    let created = st.store.create_report(req).await?;
    if !created.replayed {
        st.metrics
            .reports_created
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(created)
}

/// Validate, check the organisation's policy, and route a submitted report.
pub async fn prepare(
    st: &AppState,
    who: &Principal,
    body: ReportBody,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<(CreateReport, Vec<RedactionNote>), ApiError> {
    prepare_releasing(st, who, body, idempotency, now, &[]).await
}

/// As [`prepare`], with words the reporter put back in text they typed (see [`redact_releasing`]).
pub async fn prepare_releasing(
    st: &AppState,
    who: &Principal,
    mut body: ReportBody,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
    released: &[String],
) -> Result<(CreateReport, Vec<RedactionNote>), ApiError> {
    let org = st.store.organisation(&body.ods_code).await?;
    // The organisation's policy keeps the report as typed, encrypted, for its CSO; with no key configured
    // nothing is kept (never in the clear).
    let original = match (&st.config.originals, org.as_ref().is_some_and(|o| o.keep_originals)) {
        (Some(sealer), true) => {
            let typed = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
            Some(
                sealer
                    .seal(&typed, crate::originals::TEXT_AAD)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            )
        }
        _ => None,
    };
    let (notes, _, _) = redact_releasing(&st.redactor, &mut body, released);
    let valid = body.validate(&st.taxonomy, now)?;
    if *who == Principal::Anonymous {
        if let Some(o) = org.as_ref().filter(|o| o.require_sign_in) {
            return Err(ApiError::Unauthorized(format!(
                "{} asks reporters to sign in before reporting",
                o.name
            )));
        }
    }
    let facts = org.map(|o| o.facts()).unwrap_or(UNKNOWN_ORG);
    let tables = st.routing.tables();
    let routing = decide(&tables, &st.taxonomy, &valid, facts, now);
    let deliveries = candour_core::outbox::plan(&routing, &tables.directory);
    Ok((
        CreateReport {
            report: valid,
            taxonomy_version: st.taxonomy.version.clone(),
            actor: who.actor(),
            idempotency,
            routing: Some(routing),
            deliveries,
            now,
            tracking_hash: None,
            attachments_from_draft: None,
            keep_draft_originals: original.is_some(),
            original,
        },
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(narrative: &str) -> ReportBody {
        let mut b: ReportBody =
            serde_json::from_str(include_str!("../../../docs/examples/clinical_safety.json")).unwrap();
        b.narrative = narrative.into();
        b
    }

    #[test]
    fn a_reporter_may_put_back_a_word_taken_for_a_name_but_never_an_nhs_number() {
        let r = candour_redact::Redactor::new();
        let text = "Mr Adeyemi's chart in Lorenzo showed NHS 943 476 5919 for another patient.";
        let mut plain = body(text);
        let (_, previews, undone) = redact_releasing(&r, &mut plain, &[]);
        assert_eq!(undone, 0);
        let p = previews.iter().find(|p| p.field == "narrative").unwrap();
        assert!(
            p.releasable
                .iter()
                .any(|(w, k)| w.contains("Adeyemi") && *k == Kind::Name),
            "{p:?}"
        );
        assert!(
            !p.releasable.iter().any(|(w, _)| w.contains("943")),
            "NHS numbers are never offered"
        );
        assert!(!plain.narrative.contains("Adeyemi") && !plain.narrative.contains("5919"));

        let word = p
            .releasable
            .iter()
            .find(|(w, _)| w.contains("Adeyemi"))
            .unwrap()
            .0
            .clone();
        let mut released = body(text);
        let (notes, _, undone) = redact_releasing(&r, &mut released, &[word, "943 476 5919".into()]);
        assert_eq!(undone, 1, "only the name came back");
        assert!(released.narrative.contains("Adeyemi"), "{}", released.narrative);
        assert!(released.narrative.contains("[NHS NUMBER]") && !released.narrative.contains("5919"));
        let n = notes.iter().find(|n| n.field == "narrative").unwrap();
        assert!(!n.types.contains(&"NAME".to_string()) || n.types.len() > 1);
        assert!(n.types.contains(&"NHS_NUMBER".to_string()));
    }

    #[test]
    fn an_address_holding_a_postcode_is_never_offered_back() {
        let r = candour_redact::Redactor::new();
        let text = "The letter for 12 Acacia Avenue, Leeds LS1 4AB went to the wrong ward.";
        let mut b = body(text);
        let (_, previews, _) = redact_releasing(&r, &mut b, &[]);
        let p = previews.iter().find(|p| p.field == "narrative").unwrap();
        assert!(!p.releasable.iter().any(|(w, _)| w.contains("LS1")), "{p:?}");
        let everything: Vec<String> = vec![text.into(), "12 Acacia Avenue, Leeds LS1 4AB".into()];
        let mut b = body(text);
        redact_releasing(&r, &mut b, &everything);
        assert!(!b.narrative.contains("LS1 4AB"), "{}", b.narrative);
    }
}
