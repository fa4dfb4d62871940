//! Candour's domain: what a report is, which values it may hold, how it moves through its lifecycle,
//! who may do what, and how the audit chain is hashed.
//!
//! Pure by design: no IO, no async, no SQL, no HTTP. Adapters (storage, web, CLI) depend on this crate;
//! this crate depends on none of them.

pub mod acklink;
pub mod audit;
pub mod chase;
pub mod clinical;
pub mod cyber;
pub mod error;
pub mod identity;
pub mod lifecycle;
pub mod ods;
pub mod outbox;
pub mod record;
pub mod reference;
pub mod report;
pub mod routing;
pub mod scoring;
pub mod taxonomy;
pub mod time;

pub use error::{FieldError, ValidationErrors};
pub use lifecycle::{Action, Status};
pub use ods::OdsCode;
pub use reference::{Reference, ReportKind};
pub use report::{NewReport, ValidReport};
pub use taxonomy::Taxonomy;
