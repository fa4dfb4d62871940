//! Versioned migrations: each backend has an ordered list of SQL files; applied versions and their
//! checksums are recorded in `schema_migrations`, and a changed file is refused rather than half-applied.

use sha2::{Digest, Sha256};

/// One migration.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// One list of migrations, stamped out for both backends, so a version cannot be added to one and not
/// the other: each file name must exist under `migrations/sqlite/` and `migrations/postgres/`.
macro_rules! migrations {
    ($($version:literal $name:literal $file:literal),* $(,)?) => {
        pub(crate) const SQLITE: &[Migration] = &[$(
            Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/sqlite/", $file)) },
        )*];
        pub(crate) const POSTGRES: &[Migration] = &[$(
            Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/postgres/", $file)) },
        )*];
    };
}

migrations! {
    1 "init" "0001_init.sql",
    2 "routing" "0002_routing.sql",
    3 "outbox" "0003_outbox.sql",
    4 "destination_responses" "0004_destination_responses.sql",
    5 "web" "0005_web.sql",
    6 "chasing" "0006_chasing.sql",
    7 "routing_versions" "0007_routing_versions.sql",
    8 "notes" "0008_notes.sql",
    9 "attachments" "0009_attachments.sql",
    10 "redacted_screenshots" "0010_redacted_screenshots.sql",
    11 "originals" "0011_originals.sql",
    12 "hazard_log" "0012_hazard_log.sql",
    13 "clinical_governance" "0013_clinical_governance.sql",
    14 "risk_schemes" "0014_risk_schemes.sql",
    15 "cyber" "0015_cyber.sql",
}

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT NOT NULL CONSTRAINT schema_migrations_pk PRIMARY KEY, \
    name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Apply pending migrations on one connection inside the caller's transaction.
macro_rules! run_migrations {
    ($conn:expr, $list:expr) => {{
        use sqlx::Row;
        let c = $conn;
        sqlx::query(crate::migrate::CREATE_TABLE).execute(&mut *c).await?;
        for m in $list {
            let row = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some(r) => {
                    let sum: String = r.try_get("checksum")?;
                    if sum != m.checksum() {
                        return Err(crate::StoreError::Migration {
                            version: m.version,
                            reason: format!("{} was changed after it was applied", m.name),
                        });
                    }
                }
                None => {
                    sqlx::raw_sql(m.sql)
                        .execute(&mut *c)
                        .await
                        .map_err(|e| crate::StoreError::Migration {
                            version: m.version,
                            reason: e.to_string(),
                        })?;
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(m.version)
                    .bind(m.name)
                    .bind(m.checksum())
                    .bind(chrono::Utc::now().to_rfc3339())
                    .execute(&mut *c)
                    .await?;
                    tracing::info!(version = m.version, name = m.name, "applied migration");
                }
            }
        }
    }};
}
pub(crate) use run_migrations;
