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
            // Raised by the triggers that keep issued safety documents unchanged (both backends).
            for name in [
                "safety_documents_immutable",
                "risk_schemes_immutable",
                "advisories_immutable",
                "clinical_impacts_immutable",
                "clinical_impact_reviews_immutable",
            ] {
                if d.message().contains(name) {
                    return StoreError::Constraint(name.into());
                }
            }
            if let Some(c) = d.constraint().or_else(|| sqlite_constraint(d.message())) {
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

/// SQLite names the columns, not the constraint, in its messages; map them to the constraint names the
/// migrations declare (the same names PostgreSQL reports).
fn sqlite_constraint(message: &str) -> Option<&str> {
    // SQLite names a failed CHECK by its constraint name, and a failed UNIQUE by its columns.
    if let Some(name) = message.strip_prefix("CHECK constraint failed: ") {
        return Some(name);
    }
    let cols = message.strip_prefix("UNIQUE constraint failed: ")?;
    Some(match cols {
        "advisories.tracking_id, advisories.version" => "advisories_version_once",
        "cyber_indicators.report_id, cyber_indicators.kind, cyber_indicators.value" => "cyber_indicators_once",
        "clinical_impacts.report_id, clinical_impacts.version" => "clinical_impacts_pk",
        "clinical_impact_reviews.report_id, clinical_impact_reviews.version" => "clinical_impact_reviews_pk",
        "risk_schemes.id, risk_schemes.version" => "risk_schemes_pk",
        "hazard_links.project_id, hazard_links.number, hazard_links.report_id, hazard_links.kind" => {
            "hazard_links_once"
        }
        "users.username" => "users_username_unique",
        "users.id" => "users_pk",
        "reports.reference" => "reports_reference_unique",
        "reports.id" => "reports_id_unique",
        "idempotency.key" => "idempotency_pk",
        "report_revisions.report_id, report_revisions.revision" => "report_revisions_pk",
        "sessions.token_hash" => "sessions_pk",
        "api_tokens.token_hash" => "api_tokens_pk",
        "audit_log.seq" => "audit_log_pk",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_messages_map_to_declared_constraint_names() {
        assert_eq!(
            super::sqlite_constraint("UNIQUE constraint failed: users.username"),
            Some("users_username_unique")
        );
        assert_eq!(super::sqlite_constraint("NOT NULL constraint failed: users.id"), None);
        for name in [
            "users_username_unique",
            "reports_reference_unique",
            "idempotency_pk",
            "report_revisions_pk",
            "audit_log_pk",
        ] {
            for sql in [
                include_str!("../migrations/sqlite/0001_init.sql"),
                include_str!("../migrations/postgres/0001_init.sql"),
            ] {
                assert!(sql.contains(name), "{name} is not declared in a migration");
            }
        }
    }
}
