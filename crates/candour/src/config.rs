//! Configuration: built-in defaults, then a TOML file, then `CANDOUR_*` environment variables.
//! Secrets (the database password) are never printed.

use candour_store::DatabaseUrl;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings in force.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Where embedded data lives.
    pub data_dir: PathBuf,
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Session lifetime in hours.
    pub session_ttl_hours: i64,
    /// Anonymous report submissions allowed per network address per minute (0: no limit).
    pub submit_per_minute: u32,
    /// Outgoing mail server: `smtp://host:port` (a local relay), `smtp+starttls://user:password@host:587`
    /// or `smtps://user:password@host:465` (none: email stays in the outbox). Never printed.
    pub smtp_url: Option<Secret>,
    /// Extra trusted root certificate (PEM file) for the mail server's TLS.
    pub smtp_ca_file: Option<PathBuf>,
    /// From address for outgoing mail.
    pub smtp_from: String,
    /// Key that signs outgoing webhooks (none: webhooks stay in the outbox). Never printed.
    pub webhook_secret: Option<Secret>,
    /// The address people use to reach Candour, for links in messages (default `http://<listen>`).
    pub public_url: String,
    /// Key (32 bytes, base64) for originals kept before redaction by organisation policy (none: originals
    /// are discarded). Never printed.
    pub originals_key: Option<Secret>,
    /// Days to acknowledge a researcher's vulnerability report (default: the disclosure policy's).
    pub disclosure_ack_days: Option<i64>,
}

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The TOML file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    body_limit: Option<usize>,
    session_ttl_hours: Option<i64>,
    submit_per_minute: Option<u32>,
    disclosure_ack_days: Option<i64>,
    smtp_url: Option<String>,
    smtp_ca_file: Option<PathBuf>,
    smtp_from: Option<String>,
    webhook_secret: Option<String>,
    public_url: Option<String>,
    originals_key: Option<String>,
}

/// Why configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("config file {path}: {message}")]
    Parse {
        /// Path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An environment variable has a bad value.
    #[error("{name}: {message}")]
    Env {
        /// Variable.
        name: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Load: `file` if given (or `CANDOUR_CONFIG`, or `./candour.toml` if present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, |k| std::env::var(k).ok())
    }

    /// As [`Config::load`], reading variables through `env` (so tests need not touch the process environment).
    pub fn load_from(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let path = file
            .map(Path::to_path_buf)
            .or_else(|| env("CANDOUR_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("candour.toml")).filter(|p| p.exists()));
        let f = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::Parse {
                    path: p.clone(),
                    message: e.to_string(),
                })?
            }
            None => FileConfig::default(),
        };
        let data_dir = env("CANDOUR_DATA_DIR")
            .map(PathBuf::from)
            .or(f.data_dir)
            .unwrap_or_else(|| PathBuf::from("candour-data"));
        let database_url = env("CANDOUR_DATABASE_URL")
            .or(f.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("candour.db").display()));
        let listen = env("CANDOUR_LISTEN")
            .or(f.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let num = |name: &str| -> Result<Option<i64>, ConfigError> {
            env(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|e| ConfigError::Env {
                        name: name.into(),
                        message: e.to_string(),
                    })
                })
                .transpose()
        };
        let body_limit = match num("CANDOUR_BODY_LIMIT")? {
            Some(n) if n > 0 => n as usize,
            Some(_) => {
                return Err(ConfigError::Env {
                    name: "CANDOUR_BODY_LIMIT".into(),
                    message: "must be positive".into(),
                })
            }
            None => f.body_limit.unwrap_or(256 * 1024),
        };
        let session_ttl_hours = num("CANDOUR_SESSION_TTL_HOURS")?.or(f.session_ttl_hours).unwrap_or(8);
        let submit_per_minute = match num("CANDOUR_SUBMIT_LIMIT_PER_MINUTE")? {
            Some(n) => u32::try_from(n).map_err(|_| ConfigError::Env {
                name: "CANDOUR_SUBMIT_LIMIT_PER_MINUTE".into(),
                message: "must be 0 (no limit) or a positive whole number".into(),
            })?,
            None => f.submit_per_minute.unwrap_or(120),
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Env {
                name: "CANDOUR_DATABASE_URL".into(),
                message: "must start with sqlite:// or postgres://".into(),
            });
        }
        let public_url = env("CANDOUR_PUBLIC_URL")
            .or(f.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let smtp_url = env("CANDOUR_SMTP_URL").or(f.smtp_url).filter(|s| !s.is_empty());
        if let Some(u) = &smtp_url {
            if let Err(e) = candour_deliver::SmtpConfig::from_url(u, "check@localhost") {
                return Err(ConfigError::Env {
                    name: "CANDOUR_SMTP_URL".into(),
                    message: e.to_string(),
                });
            }
        }
        let smtp_url = smtp_url.map(Secret);
        let smtp_ca_file = env("CANDOUR_SMTP_CA_FILE").map(PathBuf::from).or(f.smtp_ca_file);
        let smtp_from = env("CANDOUR_SMTP_FROM")
            .or(f.smtp_from)
            .unwrap_or_else(|| "Candour <candour@localhost>".into());
        let webhook_secret = env("CANDOUR_WEBHOOK_SECRET")
            .or(f.webhook_secret)
            .filter(|s| !s.is_empty())
            .map(Secret);
        let originals_key = env("CANDOUR_ORIGINALS_KEY")
            .or(f.originals_key)
            .filter(|s| !s.is_empty());
        if let Some(k) = &originals_key {
            if let Err(e) = candour_web::originals::Sealer::from_base64(k) {
                return Err(ConfigError::Env {
                    name: "CANDOUR_ORIGINALS_KEY".into(),
                    message: e.to_string(),
                });
            }
        }
        let originals_key = originals_key.map(Secret);
        let disclosure_ack_days = num("CANDOUR_DISCLOSURE_ACK_DAYS")?.or(f.disclosure_ack_days);
        if disclosure_ack_days.is_some_and(|d| !(1..=90).contains(&d)) {
            return Err(ConfigError::Env {
                name: "CANDOUR_DISCLOSURE_ACK_DAYS".into(),
                message: "must be between 1 and 90 days".into(),
            });
        }
        Ok(Self {
            disclosure_ack_days,
            listen,
            database_url: DatabaseUrl::new(database_url),
            data_dir,
            body_limit,
            session_ttl_hours,
            submit_per_minute,
            smtp_url,
            smtp_ca_file,
            smtp_from,
            webhook_secret,
            public_url,
            originals_key,
        })
    }

    /// The web layer's settings.
    pub fn web(&self) -> candour_web::WebConfig {
        candour_web::WebConfig {
            body_limit: self.body_limit,
            session_ttl: chrono::Duration::hours(self.session_ttl_hours),
            secure_cookies: self.public_url.starts_with("https://"),
            submit_per_minute: self.submit_per_minute,
            public_url: Some(self.public_url.clone()),
            disclosure_ack_days: self.disclosure_ack_days,
            originals: self
                .originals_key
                .as_ref()
                .and_then(|k| candour_web::originals::Sealer::from_base64(&k.0).ok())
                .map(std::sync::Arc::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = std::env::temp_dir().join(format!("candour-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/candour\"\n").unwrap();
        let env: HashMap<&str, &str> = HashMap::from([("CANDOUR_LISTEN", "127.0.0.1:7000")]);
        let c = Config::load_from(Some(&file), |k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(c.listen, "127.0.0.1:7000");
        assert_eq!(c.database_url.expose(), "sqlite:///srv/candour/candour.db");
        let bad = Config::load_from(None, |k| (k == "CANDOUR_ORIGINALS_KEY").then(|| "c2hvcnQ=".to_string()));
        assert!(bad.unwrap_err().to_string().contains("CANDOUR_ORIGINALS_KEY"));
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let good = Config::load_from(None, |k| (k == "CANDOUR_ORIGINALS_KEY").then(|| key.to_string())).unwrap();
        assert!(!format!("{good:?}").contains(key), "the key is never printed");
        assert!(good.web().originals.is_some());
        let none = Config::load_from(None, |_| None).unwrap();
        assert!(none.web().originals.is_none());
        assert_eq!(none.listen, "127.0.0.1:8080");
        assert_eq!(none.database_url.expose(), "sqlite://candour-data/candour.db");
    }

    #[test]
    fn bad_values_name_their_source_and_secrets_stay_hidden() {
        let e = Config::load_from(None, |k| (k == "CANDOUR_BODY_LIMIT").then(|| "lots".into())).unwrap_err();
        assert!(e.to_string().starts_with("CANDOUR_BODY_LIMIT"), "{e}");
        let c = Config::load_from(None, |k| match k {
            "CANDOUR_DATABASE_URL" => Some("postgres://u:hunter2@h/db".into()),
            "CANDOUR_WEBHOOK_SECRET" => Some("s3cr3t-signing-key".into()),
            _ => None,
        })
        .unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{c:?}").contains("s3cr3t-signing-key"));
        let e = Config::load_from(None, |k| (k == "CANDOUR_SMTP_URL").then(|| "mail.example:25".into())).unwrap_err();
        assert!(e.to_string().starts_with("CANDOUR_SMTP_URL"), "{e}");
        let dir = std::env::temp_dir().join(format!("candour-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let e = Config::load_from(Some(&file), |_| None).unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
    }
}
