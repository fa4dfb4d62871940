//! Validation errors that name the field at fault, so every layer can report them the same way.

use serde::Serialize;

/// One problem with one field. `path` is a JSON-pointer-like dotted path (`patients[0].physical_harm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// Where the problem is, e.g. `cyber.contacts[1].email`.
    pub path: String,
    /// A stable machine code, e.g. `required`, `invalid`, `unknown_value`, `too_long`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

/// All the problems found in one input; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{} invalid field(s): {}", .errors.len(), summary(.errors))]
pub struct ValidationErrors {
    /// The individual field problems, in the order found.
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationErrors {
    /// A single-field error.
    pub fn one(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        let mut v = Self::default();
        v.push(path, code, message);
        v
    }

    /// Record a problem.
    pub fn push(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            path: path.into(),
            code: code.to_string(),
            message: message.into(),
        });
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, otherwise the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}
