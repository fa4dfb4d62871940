//! Group commit: one writer task per store owns one database connection and commits queued writes
//! together. Report creations in a batch become multi-row inserts (`sql.rs` `create_reports`); every
//! other write runs in its own SAVEPOINT, so a refused write is rolled back alone. Callers are answered
//! only after COMMIT has returned, so an answer means the write is durable (SQLite `synchronous=FULL`,
//! PostgreSQL's WAL flush on commit).
//!
//! The same writer serves both backends: the backend supplies a [`WriteConn`].

use crate::error::StoreError;
use crate::types::{CreateReport, Created};
use candour_core::Taxonomy;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A boxed, sendable future.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// What the writer needs from a backend connection.
pub(crate) trait WriteConn: Send + 'static {
    /// The statement that opens a write transaction.
    const BEGIN: &'static str;
    /// Run one statement without parameters.
    fn exec<'a>(&'a mut self, sql: &'static str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Store a batch of new reports.
    fn create_reports<'a>(
        &'a mut self,
        reqs: Vec<CreateReport>,
        t: &'a Taxonomy,
    ) -> BoxFuture<'a, Result<Vec<Result<Created, StoreError>>, StoreError>>;
}

/// Opens a fresh connection (after the old one broke).
pub(crate) type Connect<C> = Arc<dyn Fn() -> BoxFuture<'static, Result<C, StoreError>> + Send + Sync>;

trait Job<C>: Send {
    fn run<'c>(&'c mut self, c: &'c mut C) -> BoxFuture<'c, bool>;
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct TypedJob<T, F> {
    work: Option<F>,
    out: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<C, T, F> Job<C> for TypedJob<T, F>
where
    C: Send + 'static,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
{
    fn run<'c>(&'c mut self, c: &'c mut C) -> BoxFuture<'c, bool> {
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

enum Work<C> {
    Create(Box<CreateReport>, oneshot::Sender<Result<Created, StoreError>>),
    Job(Box<dyn Job<C>>),
}

/// A handle to the writer task.
pub(crate) struct Writer<C> {
    tx: mpsc::Sender<Work<C>>,
}

impl<C> Clone for Writer<C> {
    fn clone(&self) -> Self {
        Self { tx: self.tx.clone() }
    }
}

impl<C: WriteConn> Writer<C> {
    /// Start the writer task on `conn`; `connect` replaces the connection if it breaks.
    pub(crate) fn spawn(conn: C, connect: Connect<C>, taxonomy: Arc<Taxonomy>) -> Self {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(conn, connect, rx, taxonomy));
        Self { tx }
    }

    /// Store a new report; batched with other creations.
    pub(crate) async fn create(&self, req: CreateReport) -> Result<Created, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Work::Create(Box::new(req), reply))
            .await
            .map_err(|_| StoreError::Unavailable)?;
        rx.await.map_err(|_| StoreError::Unavailable)?
    }

    /// Run any other write inside the next batch's transaction.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job = TypedJob {
            work: Some(work),
            out: None,
            reply,
        };
        self.tx
            .send(Work::Job(Box::new(job)))
            .await
            .map_err(|_| StoreError::Unavailable)?;
        rx.await.map_err(|_| StoreError::Unavailable)?
    }
}

async fn run<C: WriteConn>(mut conn: C, connect: Connect<C>, mut rx: mpsc::Receiver<Work<C>>, taxonomy: Arc<Taxonomy>) {
    let mut creates = Vec::with_capacity(MAX_BATCH);
    let mut jobs: Vec<Box<dyn Job<C>>> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(w) = next.take() {
            match w {
                Work::Create(req, reply) => creates.push((*req, reply)),
                Work::Job(j) => jobs.push(j),
            }
            if creates.len() + jobs.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let (reqs, replies): (Vec<CreateReport>, Vec<_>) = creates.drain(..).unzip();
        let outcome = run_batch(&mut conn, reqs, &mut jobs, &taxonomy).await;
        let commit = match &outcome {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, writes = replies.len() + jobs.len(), "write batch failed; rolled back");
                if conn.exec("ROLLBACK").await.is_err() {
                    conn = reconnect(&connect).await;
                }
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
            let _ = reply.send(r);
        }
        for job in jobs.drain(..) {
            job.finish(commit.clone());
        }
    }
}

/// Keep trying to open a new connection, backing off up to 5 s between attempts.
async fn reconnect<C: WriteConn>(connect: &Connect<C>) -> C {
    let mut wait = Duration::from_millis(100);
    loop {
        match connect().await {
            Ok(c) => return c,
            Err(e) => {
                tracing::error!(error = %e, "writer cannot reconnect; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// One transaction: the batch's report creations together (in a savepoint, so a failure there is
/// reported to those callers and leaves the other writes standing), then every other write in its own
/// savepoint. Returns the creations' results, to be released only once COMMIT has returned.
async fn run_batch<C: WriteConn>(
    conn: &mut C,
    creates: Vec<CreateReport>,
    jobs: &mut [Box<dyn Job<C>>],
    taxonomy: &Taxonomy,
) -> Result<Vec<Result<Created, StoreError>>, StoreError> {
    conn.exec(C::BEGIN).await?;
    let mut results = Vec::new();
    if !creates.is_empty() {
        let n = creates.len();
        if jobs.is_empty() {
            // Nothing else shares this transaction, so a failure simply rolls it all back (the caller
            // answers every creation with the error). Skipping the savepoint spares SQLite a statement
            // journal copy of every page the batch touches.
            results = conn.create_reports(creates, taxonomy).await?;
        } else {
            conn.exec("SAVEPOINT creates").await?;
            match conn.create_reports(creates, taxonomy).await {
                Ok(r) => results = r,
                Err(e) => {
                    conn.exec("ROLLBACK TO SAVEPOINT creates").await?;
                    let msg = e.to_string();
                    results = (0..n).map(|_| Err(StoreError::CommitFailed(msg.clone()))).collect();
                }
            }
            conn.exec("RELEASE SAVEPOINT creates").await?;
        }
    }
    for job in jobs.iter_mut() {
        conn.exec("SAVEPOINT job").await?;
        if !job.run(conn).await {
            conn.exec("ROLLBACK TO SAVEPOINT job").await?;
        }
        conn.exec("RELEASE SAVEPOINT job").await?;
    }
    conn.exec("COMMIT").await?;
    Ok(results)
}

/// Implement [`WriteConn`] for a backend connection.
macro_rules! write_conn {
    ($conn:ty, $sql:path, $begin:literal, $why:literal) => {
        impl WriteConn for $conn {
            #[doc = $why]
            const BEGIN: &'static str = $begin;
            fn exec<'a>(&'a mut self, sql: &'static str) -> BoxFuture<'a, Result<(), StoreError>> {
                Box::pin(async move {
                    sqlx::query(sql).execute(&mut *self).await?;
                    Ok(())
                })
            }
            fn create_reports<'a>(
                &'a mut self,
                reqs: Vec<CreateReport>,
                t: &'a Taxonomy,
            ) -> BoxFuture<'a, Result<Vec<Result<Created, StoreError>>, StoreError>> {
                use $sql as sql;
                Box::pin(sql::create_reports(self, reqs, t))
            }
        }
    };
}

write_conn!(
    sqlx::SqliteConnection,
    crate::sql::sqlite,
    "BEGIN IMMEDIATE",
    "Take the write lock at once, so a batch never fails half-way on a busy database."
);
write_conn!(
    sqlx::PgConnection,
    crate::sql::postgres,
    "BEGIN",
    "Row locks (the audit head) serialise writers."
);
