//! The embedded SQLite adapter: WAL, `synchronous=FULL`, and the group-commit writer (`writer.rs`) on one
//! connection, each batch in one `BEGIN IMMEDIATE` transaction; callers are answered only after COMMIT
//! (and its fsync) has returned. Reads use a separate pool of connections, which WAL lets run beside the
//! writer.

use crate::error::StoreError;
use crate::sql::sqlite as sql;
use crate::types::*;
use crate::writer::{Connect, Writer};
use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
use candour_core::identity::{Can, ManageOrganisations, ManageRouting, ManageUsers, TransitionReports, ViewReports};
use candour_core::record::{ReportRecord, Revision};
use candour_core::{Reference, Taxonomy};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// SQLite-backed store.
#[derive(Clone)]
pub struct SqliteStore {
    reads: SqlitePool,
    writer: Writer<SqliteConnection>,
    taxonomy: Arc<Taxonomy>,
}

fn options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(StoreError::Migration {
            version: 0,
            reason: "an in-memory SQLite database is not durable; give a file path".into(),
        });
    }
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // 16 KiB pages (new databases): a report row (~3 KB with its routing decision) then shares a page
        // with four others instead of taking a 4 KiB page alone, so each commit writes fewer bytes, twice
        // (WAL, then checkpoint). Checkpoint every 256 pages (4 MiB, SQLite's default in bytes), so the
        // commit that runs one waits for a small copy, not a large one.
        .page_size(16384)
        .pragma("wal_autocheckpoint", "256")
        .disable_statement_logging())
}

impl SqliteStore {
    /// Open (creating if needed) the database at `url` (`sqlite://path`) and migrate it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opts = options(url)?;
        let mut conn = opts.connect().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
        let migrated: Result<(), StoreError> = async {
            crate::migrate::run_migrations!(&mut conn, crate::migrate::SQLITE);
            Ok(())
        }
        .await;
        match migrated {
            Ok(()) => sqlx::query("COMMIT").execute(&mut conn).await?,
            Err(e) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
                return Err(e);
            }
        };
        let reads = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.clone())
            .await?;
        let taxonomy = Arc::new(Taxonomy::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?);
        let connect: Connect<SqliteConnection> = Arc::new(move || {
            let opts = opts.clone();
            Box::pin(async move { Ok(opts.connect().await?) })
        });
        Ok(Self {
            reads,
            writer: Writer::spawn(conn, connect, taxonomy.clone()),
            taxonomy,
        })
    }

    /// Write a consistent copy of the live database to `out` (SQLite `VACUUM INTO`), while serving.
    pub async fn backup_to(&self, out: &Path) -> Result<(), StoreError> {
        let path = out
            .to_str()
            .ok_or_else(|| StoreError::Corrupt("backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.reads).await?;
        Ok(())
    }
}

crate::adapter::store_impl!(SqliteStore, "sqlite");
