//! The PostgreSQL adapter: a connection pool; each write is one transaction that first locks the audit
//! head row, so writes from any number of `candour serve` instances are serialised into one audit chain.

use crate::error::StoreError;
use crate::sql::postgres as sql;
use crate::types::*;
use crate::Store;
use async_trait::async_trait;
use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
use candour_core::identity::{Can, ManageOrganisations, ManageUsers, TransitionReports, ViewReports};
use candour_core::record::{ReportRecord, Revision};
use candour_core::{Reference, Taxonomy};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

/// PostgreSQL-backed store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    taxonomy: Arc<Taxonomy>,
}

impl PgStore {
    /// Connect and migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(PgConnectOptions::from_str(url)?, 16).await
    }

    /// Connect with explicit options (tests use this to pick a schema) and migrate.
    pub async fn connect_with(opts: PgConnectOptions, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect_with(opts)
            .await?;
        let taxonomy = Arc::new(Taxonomy::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?);
        let store = Self { pool, taxonomy };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Several instances may start at once: one migrates, the others wait and then find nothing to do.
        sqlx::query("SELECT pg_advisory_xact_lock(7283201)")
            .execute(&mut *tx)
            .await?;
        crate::migrate::run_migrations!(&mut *tx, crate::migrate::POSTGRES);
        tx.commit().await?;
        Ok(())
    }

    async fn tx(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn create_report(&self, req: CreateReport) -> Result<Created, StoreError> {
        let mut tx = self.tx().await?;
        let out = sql::create_reports(&mut tx, vec![req], &self.taxonomy).await?.pop().unwrap_or(Err(StoreError::Unavailable))?;
        tx.commit().await?;
        Ok(out)
    }

    async fn get_report(
        &self,
        can: &Can<ViewReports>,
        reference: &Reference,
    ) -> Result<Option<ReportRecord>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::get_report(&mut c, can, reference).await
    }

    async fn list_reports(
        &self,
        can: &Can<ViewReports>,
        filter: &ReportFilter,
    ) -> Result<Vec<ReportSummary>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::list_reports(&mut c, can, filter, &self.taxonomy).await
    }

    async fn transition(
        &self,
        can: &Can<TransitionReports>,
        req: TransitionRequest,
    ) -> Result<ReportRecord, StoreError> {
        let mut tx = self.tx().await?;
        let out = sql::transition(&mut tx, can, req).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn revisions(&self, report_id: Uuid) -> Result<Vec<Revision>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::revisions(&mut c, report_id).await
    }

    async fn audit_for(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::audit_for(&mut c, object_type, object_id).await
    }

    async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::audit_page(&mut c, after, limit).await
    }

    async fn audit_head(&self) -> Result<ChainHead, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::audit_head_read(&mut c).await
    }

    async fn record_event(&self, event: AuditEvent) -> Result<(), StoreError> {
        let mut tx = self.tx().await?;
        sql::record_event(&mut tx, event, Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_organisation(&self, can: &Can<ManageOrganisations>, org: Organisation) -> Result<(), StoreError> {
        let mut tx = self.tx().await?;
        sql::put_organisation(&mut tx, org, can.actor(), Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn organisation(&self, ods_code: &str) -> Result<Option<Organisation>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::organisation(&mut c, ods_code).await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::organisations(&mut c).await
    }

    async fn create_user(&self, can: &Can<ManageUsers>, user: NewUser) -> Result<UserRecord, StoreError> {
        let mut tx = self.tx().await?;
        let out = sql::create_user(&mut tx, user, can.actor()).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::user_by_username(&mut c, username).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::users(&mut c).await
    }

    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        let mut tx = self.tx().await?;
        sql::create_session(&mut tx, session).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::user_by_session(&mut c, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.tx().await?;
        sql::delete_session(&mut tx, token_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_api_token(&self, can: &Can<ManageUsers>, token: NewApiToken) -> Result<(), StoreError> {
        let mut tx = self.tx().await?;
        sql::create_api_token(&mut tx, token, can.actor()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.pool.acquire().await?;
        sql::user_by_api_token(&mut c, token_hash).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
