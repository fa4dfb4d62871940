//! Storage errors. The HTTP edge maps these to status codes once.

use candour_core::lifecycle::LifecycleError;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such object (or not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The caller's revision is stale.
    #[error("the report has changed since revision {expected}; it is now at revision {current}")]
    Conflict {
        /// The revision the caller had.
        expected: i64,
        /// The revision stored now.
        current: i64,
    },
    /// The Idempotency-Key was used before with a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    /// A lifecycle rule refused the change.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A named database constraint refused the change.
    #[error("constraint {0} was violated")]
    Constraint(String),
    /// Stored data could not be read back.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The batch this write was part of could not be committed.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// The store is shutting down or its writer stopped.
    #[error("the store is unavailable")]
    Unavailable,
    /// A migration could not be applied.
    #[error("migration {version} failed: {reason}")]
    Migration {
        /// Which.
        version: i64,
        /// Why.
        reason: String,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            if let Some(c) = d.constraint() {
                return StoreError::Constraint(c.to_string());
            }
        }
        StoreError::Database(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
