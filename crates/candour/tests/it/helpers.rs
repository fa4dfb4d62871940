//! Test databases and a running app on port 0.

use candour_core::identity::{Grant, Principal, Role};
use candour_core::report::ReportBody;
use candour_core::{OdsCode, Taxonomy};
use candour_store::{CreateReport, DynStore, PgStore, SqliteStore};
use sqlx::{ConnectOptions, Connection};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a test's data lives, so tests can also reach it with raw SQL (to tamper, say).
pub enum Db {
    Sqlite {
        url: String,
        _dir: TempDir,
    },
    Postgres {
        opts: Box<sqlx::postgres::PgConnectOptions>,
        schema: String,
    },
}

/// A throwaway directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("candour-it-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestDb {
    pub store: DynStore,
    pub db: Db,
}

impl TestDb {
    pub fn name(&self) -> &'static str {
        self.store.backend()
    }

    /// Run raw SQL against the test database, bypassing Candour.
    pub async fn exec(&self, sql: &str) {
        match &self.db {
            Db::Sqlite { url, .. } => {
                let mut c: sqlx::SqliteConnection = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(url.trim_start_matches("sqlite://"))
                    .connect()
                    .await
                    .unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
            Db::Postgres { opts, .. } => {
                let mut c = opts.connect().await.unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
                c.close().await.unwrap();
            }
        }
    }

    /// Run raw SQL, returning the database's answer (for checking what the schema itself refuses).
    pub async fn try_exec(&self, sql: &str) -> Result<(), sqlx::Error> {
        match &self.db {
            Db::Sqlite { url, .. } => {
                let mut c: sqlx::SqliteConnection = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(url.trim_start_matches("sqlite://"))
                    .connect()
                    .await?;
                let r = sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ());
                c.close().await?;
                r
            }
            Db::Postgres { opts, .. } => {
                let mut c = opts.connect().await?;
                let r = sqlx::raw_sql(sql).execute(&mut c).await.map(|_| ());
                c.close().await?;
                r
            }
        }
    }

    /// The `CANDOUR_DATABASE_URL` that reaches this database from a child process.
    pub fn url(&self) -> String {
        match &self.db {
            Db::Sqlite { url, .. } => url.clone(),
            Db::Postgres { schema, .. } => {
                let base = pg_url().unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                format!("{base}{sep}options=-c%20search_path%3D{schema}")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Leave nothing behind in a shared PostgreSQL: drop this test's schema, in the background (this
        // test's pooled connections release their locks on the runtime that is dropping us, so waiting
        // here would deadlock). Best effort: a schema left by an interrupted run costs only disk.
        if let Db::Postgres { opts, schema } = &self.db {
            let (opts, schema) = ((**opts).clone(), schema.clone());
            std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                    return;
                };
                rt.block_on(async move {
                    for _ in 0..5 {
                        if let Ok(mut c) = opts.connect().await {
                            let _ = sqlx::query("SET lock_timeout = '5s'").execute(&mut c).await;
                            if sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                                .execute(&mut c)
                                .await
                                .is_ok()
                            {
                                return;
                            }
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                });
            });
        }
    }
}

pub fn pg_url() -> Option<String> {
    let url = std::env::var("CANDOUR_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty());
    if url.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI must set CANDOUR_TEST_POSTGRES_URL so the PostgreSQL conformance run is not skipped");
    }
    url
}

pub async fn sqlite() -> TestDb {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("candour.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.unwrap());
    TestDb {
        store,
        db: Db::Sqlite { url, _dir: dir },
    }
}

pub async fn postgres(url: &str) -> TestDb {
    let base: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let schema = format!("it_{}", uuid::Uuid::new_v4().simple());
    let mut c = base.connect().await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    let opts = base.options([("search_path", schema.as_str())]);
    let store = Arc::new(PgStore::connect_with(opts.clone(), 8).await.unwrap());
    TestDb {
        store,
        db: Db::Postgres {
            opts: Box::new(opts),
            schema,
        },
    }
}

/// SQLite always; PostgreSQL when `CANDOUR_TEST_POSTGRES_URL` is set (CI sets it).
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(url) = pg_url() {
        v.push(postgres(&url).await);
    }
    v
}

pub fn taxonomy() -> Taxonomy {
    Taxonomy::embedded().unwrap()
}

pub fn example(kind: &str) -> serde_json::Value {
    let path = format!("{}/../../docs/examples/{kind}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))).unwrap()
}

pub fn create_req(body: serde_json::Value) -> CreateReport {
    let b: ReportBody = serde_json::from_value(body).unwrap();
    let t = taxonomy();
    let now = chrono::Utc::now();
    CreateReport {
        report: b.validate(&t, now).unwrap(),
        taxonomy_version: t.version,
        actor: "anonymous".into(),
        idempotency: None,
        routing: None,
        deliveries: Vec::new(),
        now,
        tracking_hash: None,
        attachments_from_draft: None,
        original: None,
        keep_draft_originals: false,
    }
}

pub fn user(role: Role, org: Option<&str>) -> Principal {
    Principal::Known {
        id: format!("test-{}", role.as_str()),
        name: format!("Test {}", role.label()),
        grants: vec![Grant {
            role,
            org: org.map(|o| OdsCode::parse(o).unwrap()),
        }],
    }
}

pub fn admin() -> Principal {
    user(Role::Admin, None)
}

/// A running app on an ephemeral port.
pub struct App {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    _server: tokio::task::JoinHandle<()>,
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sign in as a new account with the given grant; returns the bearer token.
    pub async fn login_as(&self, username: &str, grants: Vec<Grant>) -> String {
        candour::ops::add_user(
            &self.db.store,
            username,
            &format!("Test {username}"),
            "correct-horse-battery",
            grants,
        )
        .await
        .unwrap();
        let r = self
            .client
            .post(self.url("/api/v1/sessions"))
            .json(&serde_json::json!({"username": username, "password": "correct-horse-battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

pub async fn spawn_app_on(db: TestDb) -> App {
    spawn_app_with(
        db,
        candour_web::WebConfig {
            body_limit: 64 * 1024,
            ..Default::default()
        },
    )
    .await
}

pub async fn spawn_app_with(db: TestDb, config: candour_web::WebConfig) -> App {
    let state = candour_web::AppState::new(db.store.clone(), taxonomy(), config).unwrap();
    let app = candour_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    App {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        db,
        _server: server,
    }
}

pub async fn spawn_app() -> App {
    spawn_app_on(sqlite().await).await
}

/// Apps on every backend.
pub async fn apps() -> Vec<App> {
    let mut v = Vec::new();
    for db in backends().await {
        v.push(spawn_app_on(db).await);
    }
    v
}

/// Submit a report anonymously through the API; its reference.
pub async fn submit(app: &App, body: &serde_json::Value) -> String {
    let created: serde_json::Value = app
        .client
        .post(app.url("/api/v1/reports"))
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["reference"].as_str().unwrap().to_string()
}
