//! What each subcommand does.

use crate::config::{Config, ConfigError};
use candour_core::audit::Verifier;
use candour_core::identity::{Grant, ManageUsers, Principal, Role, ViewReports};
use candour_core::report::ReportBody;
use candour_core::{Reference, Taxonomy, ValidationErrors};
use candour_store::{DynStore, NewApiToken, NewUser, StoreError};
use chrono::Utc;
use std::path::Path;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Bad input.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// Files.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Anything else, said plainly.
    #[error("{0}")]
    Message(String),
}

/// The authority of someone running `candour` on the host itself: a national administrator.
pub fn cli_principal() -> Principal {
    Principal::Known {
        id: "cli".into(),
        name: "local administrator (CLI)".into(),
        grants: vec![Grant {
            role: Role::Admin,
            org: None,
        }],
    }
}

/// Open the configured store (creating the data directory for SQLite) and run migrations.
pub async fn open_store(config: &Config) -> Result<DynStore, CliError> {
    if !config.database_url.is_postgres() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    Ok(candour_store::open(&config.database_url).await?)
}

/// Serve until SIGINT or SIGTERM. `ready` is called with the bound address.
pub async fn serve(config: &Config, store: DynStore, ready: impl FnOnce(std::net::SocketAddr)) -> Result<(), CliError> {
    let taxonomy = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let store_for_delivery = store.clone();
    let state =
        candour_web::AppState::new(store, taxonomy, config.web()).map_err(|e| CliError::Message(e.to_string()))?;
    candour_web::policy::refresh(&state).await?;
    let routing = state.routing.clone();
    let follower = tokio::spawn(candour_web::policy::follow(
        state.clone(),
        std::time::Duration::from_secs(10),
    ));
    let app = candour_web::router(state);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| CliError::Message(format!("cannot listen on {} (CANDOUR_LISTEN): {e}", config.listen)))?;
    ready(listener.local_addr()?);
    let mut smtp = config
        .smtp_url
        .as_ref()
        .map(|u| candour_deliver::SmtpConfig::from_url(&u.0, &config.smtp_from))
        .transpose()
        .map_err(|e| CliError::Message(e.to_string()))?;
    if let (Some(s), Some(path)) = (smtp.as_mut(), &config.smtp_ca_file) {
        s.ca_pem =
            Some(std::fs::read(path).map_err(|e| {
                CliError::Message(format!("cannot read {} (CANDOUR_SMTP_CA_FILE): {e}", path.display()))
            })?);
    }
    let secret = config.webhook_secret.as_ref().map(|s| s.0.as_bytes().to_vec());
    let deliverer =
        candour_deliver::Deliverer::with_public_url(store_for_delivery, smtp, secret, Some(config.public_url.clone()))
            .map_err(|e| CliError::Message(e.to_string()))?
            .with_routing(routing);
    let worker = tokio::spawn(deliverer.run());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    worker.abort();
    follower.abort();
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Walk the whole audit chain, then check every report row against the chain: the number of entries if
/// all is intact, or a sentence naming the first problem.
///
/// The chain proves the audit log was not edited, deleted from or reordered; the cross-check proves each
/// report's stored content is exactly what its last audited change produced, and that no report exists
/// without an audit trail or vanished from under one.
pub async fn audit_verify(store: &DynStore) -> Result<Result<i64, String>, CliError> {
    let mut v = Verifier::default();
    let mut last_digest: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    loop {
        let page = store.audit_page(v.verified(), 5000).await?;
        let Some(last) = page.last().map(|e| e.seq) else { break };
        for e in &page {
            if let Err(b) = v.check(e) {
                return Ok(Err(b.to_string()));
            }
            // Only changes to the report itself carry its digest (deliveries, reads, notes, assignment,
            // attachments and originals are about it, and carry digests of their own).
            if e.object_type == "report" && candour_core::audit::changes_report(&e.action) {
                if let Some(d) = &e.after_digest {
                    last_digest.insert(e.object_id.clone(), d.clone());
                }
            }
        }
        if last != v.verified() {
            break;
        }
    }
    let head = store.audit_head().await?;
    if &head != v.head() {
        return Ok(Err(format!(
            "audit chain ends at entry {} but the recorded head is entry {} (entries removed from the end?)",
            v.verified(),
            head.seq
        )));
    }
    let p = cli_principal();
    let can = p
        .can::<ViewReports>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    let mut seen = 0usize;
    let mut filter = candour_store::ReportFilter {
        limit: Some(1000),
        ..Default::default()
    };
    loop {
        let page = store.list_reports(&can, &filter).await?;
        for s in &page {
            let Some(want) = last_digest.get(&s.reference) else {
                return Ok(Err(format!(
                    "report {} has no audit trail (inserted outside Candour?)",
                    s.reference
                )));
            };
            let reference = s.reference.parse().map_err(CliError::Message)?;
            let Some(rec) = store.get_report(&can, &reference).await? else {
                continue;
            };
            if !rec.matches_digest(want) {
                return Ok(Err(format!(
                    "report {} does not match its last audited change (edited outside Candour?)",
                    s.reference
                )));
            }
            seen += 1;
        }
        match page.last() {
            Some(last) if page.len() == 1000 => filter.cursor = Some(candour_store::encode_cursor(last.seq)),
            _ => break,
        }
    }
    if seen != last_digest.len() {
        let mut missing = Vec::new();
        for reference in last_digest.keys() {
            let r: Reference = reference.parse().map_err(CliError::Message)?;
            if store.get_report(&can, &r).await?.is_none() {
                missing.push(reference.clone());
            }
        }
        missing.sort();
        if let Some(first) = missing.first() {
            return Ok(Err(format!(
                "report {first} is in the audit log but missing from the database (deleted?)"
            )));
        }
    }
    Ok(Ok(v.verified()))
}

/// `candour report submit --file F`: validate and store a report from a JSON file.
pub async fn submit_file(store: &DynStore, path: &Path) -> Result<candour_store::Created, CliError> {
    let text = std::fs::read(path)?;
    let de = &mut serde_json::Deserializer::from_slice(&text);
    let body: ReportBody = serde_path_to_error::deserialize(de)
        .map_err(|e| CliError::Message(format!("{}: {}: {}", path.display(), e.path(), e.inner())))?;
    let t = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let st = candour_web::AppState::new(store.clone(), t, candour_web::WebConfig::default())
        .map_err(|e| CliError::Message(e.to_string()))?;
    let (req, _) = candour_web::intake::prepare(&st, &cli_principal(), body, None, Utc::now())
        .await
        .map_err(|e| match e {
            candour_web::error::ApiError::Invalid(v) => CliError::Invalid(v),
            other => CliError::Message(other.to_string()),
        })?;
    Ok(store.create_report(req).await?)
}

/// `candour report show REF`: the report as JSON (the CLI acts as a national administrator).
pub async fn show(store: &DynStore, reference: &str) -> Result<serde_json::Value, CliError> {
    let r: Reference = reference.parse().map_err(CliError::Message)?;
    let p = cli_principal();
    let can = p
        .can::<ViewReports>()
        .ok_or_else(|| CliError::Message("no capability".into()))?;
    let rec = store
        .get_report(&can, &r)
        .await?
        .ok_or_else(|| CliError::Message(format!("no report {reference}")))?;
    let revisions = store.revisions(rec.id).await?;
    Ok(serde_json::json!({ "report": candour_web::api::view(&rec, true), "revisions": revisions }))
}

/// Parse `role` or `role@ODS`.
pub fn parse_grant(s: &str) -> Result<Grant, CliError> {
    let (role, org) = match s.split_once('@') {
        Some((r, o)) => (
            r,
            Some(candour_core::OdsCode::parse(o).map_err(|e| CliError::Message(format!("--role {s}: {e}")))?),
        ),
        None => (s, None),
    };
    Ok(Grant {
        role: role
            .parse()
            .map_err(|e| CliError::Message(format!("--role {s}: {e}")))?,
        org,
    })
}

/// `candour user add`.
pub async fn add_user(
    store: &DynStore,
    username: &str,
    display_name: &str,
    password: &str,
    grants: Vec<Grant>,
) -> Result<(), CliError> {
    candour_web::api::check_new_user(username, display_name, password)?;
    let hash = candour_web::auth::hash_password(password).map_err(|e| CliError::Message(e.to_string()))?;
    store
        .create_user(
            &cli_principal()
                .can::<ManageUsers>()
                .ok_or_else(|| CliError::Message("no capability".into()))?,
            NewUser {
                username: username.into(),
                display_name: display_name.into(),
                password_hash: hash,
                grants,
                now: Utc::now(),
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Constraint(c) if c == "users_username_unique" => {
                CliError::Message(format!("username {username} is already taken"))
            }
            other => other.into(),
        })?;
    Ok(())
}

/// `candour user token`: a new API token for an account, printed once.
pub async fn add_token(store: &DynStore, username: &str, name: &str) -> Result<String, CliError> {
    let user = store
        .user_by_username(username)
        .await?
        .ok_or_else(|| CliError::Message(format!("no user {username}")))?;
    let (token, hash) = candour_web::auth::new_token();
    store
        .create_api_token(
            &cli_principal()
                .can::<ManageUsers>()
                .ok_or_else(|| CliError::Message("no capability".into()))?,
            NewApiToken {
                user_id: user.id,
                name: name.into(),
                token_hash: hash,
                now: Utc::now(),
            },
        )
        .await?;
    Ok(token)
}

fn sqlite_path(config: &Config) -> Result<std::path::PathBuf, CliError> {
    let url = config.database_url.expose();
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() {
        return Err(CliError::Message("CANDOUR_DATABASE_URL names no SQLite file".into()));
    }
    Ok(std::path::PathBuf::from(path))
}

/// `candour backup OUT`: a consistent copy taken while Candour keeps serving. SQLite uses `VACUUM INTO`;
/// PostgreSQL uses `pg_dump` (custom format), which reads one consistent snapshot.
pub async fn backup(config: &Config, out: &Path) -> Result<(), CliError> {
    if out.exists() {
        return Err(CliError::Message(format!(
            "{} already exists; choose a new file",
            out.display()
        )));
    }
    if config.database_url.is_postgres() {
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(out)
            .arg(config.database_url.expose())
            .status()
            .map_err(|e| CliError::Message(format!("cannot run pg_dump: {e}")))?;
        if !status.success() {
            return Err(CliError::Message(format!("pg_dump failed ({status})")));
        }
        return Ok(());
    }
    let store = candour_store::SqliteStore::open(config.database_url.expose()).await?;
    store.backup_to(out).await?;
    Ok(())
}

/// `candour restore IN`: replace the configured database with a backup, then verify its audit chain.
/// Stop `candour serve` first. SQLite: refuses to overwrite an existing database unless `force`.
pub async fn restore(config: &Config, input: &Path, force: bool) -> Result<i64, CliError> {
    if !input.exists() {
        return Err(CliError::Message(format!("{} does not exist", input.display())));
    }
    if config.database_url.is_postgres() {
        let status = std::process::Command::new("pg_restore")
            .args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
            ])
            .arg(config.database_url.expose())
            .arg(input)
            .status()
            .map_err(|e| CliError::Message(format!("cannot run pg_restore: {e}")))?;
        if !status.success() {
            return Err(CliError::Message(format!("pg_restore failed ({status})")));
        }
    } else {
        let path = sqlite_path(config)?;
        if path.exists() && !force {
            return Err(CliError::Message(format!(
                "{} exists; pass --force to replace it",
                path.display()
            )));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Copy beside, then rename: the database is either the old one or the whole backup.
        let tmp = path.with_extension("restoring");
        std::fs::copy(input, &tmp)?;
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
        std::fs::rename(&tmp, &path)?;
    }
    let store = open_store(config).await?;
    audit_verify(&store)
        .await?
        .map_err(|e| CliError::Message(format!("restored, but {e}")))
}
