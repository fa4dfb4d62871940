//! Candour's text redaction engine (work in progress; see README).
