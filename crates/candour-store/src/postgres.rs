//! The PostgreSQL adapter: reads from a connection pool; writes through the group-commit writer
//! (`writer.rs`) on a connection of their own. Every write batch first locks the audit-head row, so
//! batches from any number of `candour serve` instances are serialised into one audit chain.

use crate::error::StoreError;
use crate::sql::postgres as sql;
use crate::types::*;
use crate::writer::{Connect, Writer};
use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
use candour_core::identity::{Can, ManageOrganisations, ManageRouting, ManageUsers, TransitionReports, ViewReports};
use candour_core::record::{ReportRecord, Revision};
use candour_core::{Reference, Taxonomy};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection, PgPool};
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

/// PostgreSQL-backed store.
#[derive(Clone)]
pub struct PgStore {
    reads: PgPool,
    writer: Writer<PgConnection>,
    taxonomy: Arc<Taxonomy>,
}

impl PgStore {
    /// Connect and migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(PgConnectOptions::from_str(url)?, 16).await
    }

    /// Connect with explicit options (tests use this to pick a schema) and migrate.
    pub async fn connect_with(opts: PgConnectOptions, max_connections: u32) -> Result<Self, StoreError> {
        let opts = opts.disable_statement_logging();
        let reads = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(opts.clone())
            .await?;
        migrate(&reads).await?;
        let taxonomy = Arc::new(Taxonomy::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?);
        let conn = opts.connect().await?;
        let connect: Connect<PgConnection> = Arc::new(move || {
            let opts = opts.clone();
            Box::pin(async move { Ok(opts.connect().await?) })
        });
        Ok(Self {
            reads,
            writer: Writer::spawn(conn, connect, taxonomy.clone()),
            taxonomy,
        })
    }
}

async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Several instances may start at once: one migrates, the others wait and then find nothing to do.
    sqlx::query("SELECT pg_advisory_xact_lock(7283201)")
        .execute(&mut *tx)
        .await?;
    crate::migrate::run_migrations!(&mut *tx, crate::migrate::POSTGRES);
    tx.commit().await?;
    Ok(())
}

crate::adapter::store_impl!(PgStore, "postgres");
