//! The embedded SQLite adapter: WAL, `synchronous=FULL`, and one writer task that commits queued writes
//! together (group commit). Each write runs in its own SAVEPOINT inside one `BEGIN IMMEDIATE` transaction,
//! so a failing write is rolled back alone; callers are answered only after the COMMIT (and its fsync)
//! has returned. Reads use a separate pool of connections, which WAL lets run beside the writer.

use crate::error::StoreError;
use crate::sql::sqlite as sql;
use crate::types::*;
use crate::Store;
use async_trait::async_trait;
use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
use candour_core::identity::{Can, ManageOrganisations, ManageUsers, TransitionReports, ViewReports};
use candour_core::record::{ReportRecord, Revision};
use candour_core::{Reference, Taxonomy};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

trait Job: Send {
    fn run<'c>(&'c mut self, c: &'c mut SqliteConnection) -> BoxFuture<'c, bool>;
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<T, F> {
    work: Option<F>,
    out: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
{
    fn run<'c>(&'c mut self, c: &'c mut SqliteConnection) -> BoxFuture<'c, bool> {
        let work = self.work.take();
        Box::pin(async move {
            let r = match work {
                Some(w) => w(c).await,
                None => Err(StoreError::Unavailable),
            };
            let ok = r.is_ok();
            self.out = Some(r);
            ok
        })
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let reply = match (self.out, commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (Some(Ok(_)), Err(e)) => Err(StoreError::CommitFailed(e)),
            (None, _) => Err(StoreError::Unavailable),
        };
        // The caller may have gone away (client disconnected); the write stands either way.
        let _ = self.reply.send(reply);
    }
}

/// A write waiting for the writer: report creations are batched into multi-row inserts; anything else
/// runs as its own job.
enum Work {
    Create(CreateReport, oneshot::Sender<Result<Created, StoreError>>),
    Job(Box<dyn Job>),
}

/// SQLite-backed store.
#[derive(Clone)]
pub struct SqliteStore {
    reads: SqlitePool,
    writer: mpsc::Sender<Work>,
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
        let reads = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        let (tx, rx) = mpsc::channel::<Work>(4096);
        let taxonomy = Arc::new(Taxonomy::embedded().map_err(|e| StoreError::Corrupt(e.to_string()))?);
        tokio::spawn(writer(conn, rx, taxonomy.clone()));
        Ok(Self {
            reads,
            writer: tx,
            taxonomy,
        })
    }

    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job = TypedJob {
            work: Some(work),
            out: None,
            reply,
        };
        self.writer
            .send(Work::Job(Box::new(job)))
            .await
            .map_err(|_| StoreError::Unavailable)?;
        rx.await.map_err(|_| StoreError::Unavailable)?
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

async fn writer(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Work>, taxonomy: Arc<Taxonomy>) {
    let mut creates: Vec<(CreateReport, oneshot::Sender<Result<Created, StoreError>>)> = Vec::with_capacity(MAX_BATCH);
    let mut jobs: Vec<Box<dyn Job>> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(w) = next.take() {
            match w {
                Work::Create(req, reply) => creates.push((req, reply)),
                Work::Job(j) => jobs.push(j),
            }
            if creates.len() + jobs.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let (reqs, replies): (Vec<_>, Vec<_>) = creates.drain(..).unzip();
        let outcome = run_batch(&mut conn, reqs, &mut jobs, &taxonomy).await;
        let commit = match &outcome {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, writes = replies.len() + jobs.len(), "sqlite batch failed; rolled back");
                let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                Err(e.to_string())
            }
        };
        let mut results = outcome.unwrap_or_default().into_iter();
        for reply in replies {
            let r = match (&commit, results.next()) {
                (Ok(()), Some(r)) => r,
                (Err(e), _) => Err(StoreError::CommitFailed(e.clone())),
                (Ok(()), None) => Err(StoreError::Unavailable),
            };
            // The caller may have gone away (client disconnected); the write stands either way.
            let _ = reply.send(r);
        }
        for job in jobs.drain(..) {
            job.finish(commit.clone());
        }
    }
    let _ = conn.close().await;
}

/// One transaction: the batch's report creations together (in a savepoint, so a failure there is
/// reported to those callers and leaves the other writes standing), then every other write in its own
/// savepoint. Returns the creations' results, to be released only once COMMIT has returned.
async fn run_batch(
    conn: &mut SqliteConnection,
    creates: Vec<CreateReport>,
    jobs: &mut [Box<dyn Job>],
    taxonomy: &Taxonomy,
) -> Result<Vec<Result<Created, StoreError>>, StoreError> {
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let mut results = Vec::new();
    if !creates.is_empty() {
        let n = creates.len();
        sqlx::query("SAVEPOINT creates").execute(&mut *conn).await?;
        match sql::create_reports(conn, creates, taxonomy).await {
            Ok(r) => results = r,
            Err(e) => {
                sqlx::query("ROLLBACK TO creates").execute(&mut *conn).await?;
                let msg = e.to_string();
                results = (0..n).map(|_| Err(StoreError::CommitFailed(msg.clone()))).collect();
            }
        }
        sqlx::query("RELEASE creates").execute(&mut *conn).await?;
    }
    for job in jobs.iter_mut() {
        sqlx::query("SAVEPOINT job").execute(&mut *conn).await?;
        if !job.run(conn).await {
            sqlx::query("ROLLBACK TO job").execute(&mut *conn).await?;
        }
        sqlx::query("RELEASE job").execute(&mut *conn).await?;
    }
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    Ok(results)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn create_report(&self, req: CreateReport) -> Result<Created, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.writer.send(Work::Create(req, reply)).await.map_err(|_| StoreError::Unavailable)?;
        rx.await.map_err(|_| StoreError::Unavailable)?
    }

    async fn get_report(
        &self,
        can: &Can<ViewReports>,
        reference: &Reference,
    ) -> Result<Option<ReportRecord>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::get_report(&mut c, can, reference).await
    }

    async fn list_reports(
        &self,
        can: &Can<ViewReports>,
        filter: &ReportFilter,
    ) -> Result<Vec<ReportSummary>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::list_reports(&mut c, can, filter, &self.taxonomy).await
    }

    async fn transition(
        &self,
        can: &Can<TransitionReports>,
        req: TransitionRequest,
    ) -> Result<ReportRecord, StoreError> {
        let can = can.clone();
        self.write(move |c| Box::pin(async move { sql::transition(c, &can, req).await }))
            .await
    }

    async fn revisions(&self, report_id: Uuid) -> Result<Vec<Revision>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::revisions(&mut c, report_id).await
    }

    async fn audit_for(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::audit_for(&mut c, object_type, object_id).await
    }

    async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::audit_page(&mut c, after, limit).await
    }

    async fn audit_head(&self) -> Result<ChainHead, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::audit_head_read(&mut c).await
    }

    async fn record_event(&self, event: AuditEvent) -> Result<(), StoreError> {
        self.write(move |c| Box::pin(async move { sql::record_event(c, event, Utc::now()).await }))
            .await
    }

    async fn put_organisation(&self, can: &Can<ManageOrganisations>, org: Organisation) -> Result<(), StoreError> {
        let actor = can.actor().to_string();
        self.write(move |c| Box::pin(async move { sql::put_organisation(c, org, &actor, Utc::now()).await }))
            .await
    }

    async fn organisation(&self, ods_code: &str) -> Result<Option<Organisation>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::organisation(&mut c, ods_code).await
    }

    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::organisations(&mut c).await
    }

    async fn create_user(&self, can: &Can<ManageUsers>, user: NewUser) -> Result<UserRecord, StoreError> {
        let actor = can.actor().to_string();
        self.write(move |c| Box::pin(async move { sql::create_user(c, user, &actor).await }))
            .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::user_by_username(&mut c, username).await
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::users(&mut c).await
    }

    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        self.write(move |c| Box::pin(async move { sql::create_session(c, session).await }))
            .await
    }

    async fn user_by_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::user_by_session(&mut c, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let h = token_hash.to_string();
        self.write(move |c| Box::pin(async move { sql::delete_session(c, &h).await }))
            .await
    }

    async fn create_api_token(&self, can: &Can<ManageUsers>, token: NewApiToken) -> Result<(), StoreError> {
        let actor = can.actor().to_string();
        self.write(move |c| Box::pin(async move { sql::create_api_token(c, token, &actor).await }))
            .await
    }

    async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut c = self.reads.acquire().await?;
        sql::user_by_api_token(&mut c, token_hash).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reads).await?;
        Ok(())
    }
}
