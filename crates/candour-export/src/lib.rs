//! Exports of Candour reports in the formats other tools read. Pure: a report in, a document out.
//!
//! - [`stix`]: a STIX 2.1 bundle for a cyber incident or suspicious activity — the organisation, the
//!   incident with the OASIS Incident Core Extension, its indicators with valid patterns, the observables
//!   with deterministic ids, CVEs as vulnerabilities, relationships and a TLP marking.

pub mod cyber;
pub mod document;
pub mod stix;
