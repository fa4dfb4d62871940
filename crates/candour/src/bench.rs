//! `candour bench intake`: durable submissions per second through HTTP with N concurrent clients, and,
//! in the same run, the store's own durable-insert ceiling (direct `create_report` calls, same durability),
//! so the ratio shows what the HTTP layer costs.

use crate::ops::CliError;
use candour_core::report::ReportBody;
use candour_core::Taxonomy;
use candour_store::{CreateReport, DynStore};
use chrono::Utc;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The request body every benchmark client sends (one of the documented examples).
pub const BODY: &str = include_str!("../../../docs/examples/clinical_safety.json");

/// Options.
#[derive(Debug, Clone)]
pub struct IntakeOptions {
    /// Concurrent clients.
    pub clients: usize,
    /// Seconds per phase.
    pub seconds: f64,
    /// `postgres://…` to bench PostgreSQL (a fresh schema is used); none for a fresh SQLite file.
    pub postgres_url: Option<String>,
}

/// One phase's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    /// What was measured.
    pub name: String,
    /// Successful durable submissions.
    pub ok: u64,
    /// Failures.
    pub errors: u64,
    /// Submissions per second.
    pub per_second: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
}

/// The whole result.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeResult {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Clients.
    pub clients: usize,
    /// Through HTTP.
    pub http: Phase,
    /// Direct store inserts.
    pub ceiling: Phase,
    /// http.per_second / ceiling.per_second.
    pub ratio: f64,
}

fn quantile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn phase(name: &str, results: Vec<(u64, u64, Vec<u64>)>, secs: f64) -> Phase {
    let ok: u64 = results.iter().map(|r| r.0).sum();
    let errors: u64 = results.iter().map(|r| r.1).sum();
    let mut lat: Vec<u64> = results.into_iter().flat_map(|r| r.2).collect();
    lat.sort_unstable();
    Phase {
        name: name.into(),
        ok,
        errors,
        per_second: ok as f64 / secs,
        p50_ms: quantile(&lat, 0.5),
        p99_ms: quantile(&lat, 0.99),
    }
}

async fn open_bench_store(opts: &IntakeOptions, dir: &std::path::Path) -> Result<DynStore, CliError> {
    match &opts.postgres_url {
        Some(url) => {
            use sqlx::ConnectOptions;
            use sqlx::Connection;
            let base: sqlx::postgres::PgConnectOptions =
                url.parse().map_err(|e: sqlx::Error| CliError::Message(e.to_string()))?;
            let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let mut c = base.connect().await.map_err(|e| CliError::Message(e.to_string()))?;
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut c)
                .await
                .map_err(|e| CliError::Message(e.to_string()))?;
            let _ = c.close().await;
            let opts = base.options([("search_path", schema.as_str())]);
            Ok(Arc::new(candour_store::PgStore::connect_with(opts, 32).await?))
        }
        None => {
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            Ok(Arc::new(candour_store::SqliteStore::open(&url).await?))
        }
    }
}

/// Run the intake benchmark.
pub async fn intake(opts: IntakeOptions) -> Result<IntakeResult, CliError> {
    let dir = std::env::temp_dir().join(format!("candour-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let store = open_bench_store(&opts, &dir).await?;
    let backend = store.backend().to_string();
    let taxonomy = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let body: ReportBody = serde_json::from_str(BODY)?;
    let dur = Duration::from_secs_f64(opts.seconds);
    let state = candour_web::AppState::new(store.clone(), taxonomy.clone(), candour_web::WebConfig::default())
        .map_err(|e| CliError::Message(e.to_string()))?;

    // Phase 1: the store's ceiling: the same intake work (validation, organisation policy, routing) and
    // the same durable write, without HTTP.
    let deadline = Instant::now() + dur;
    let mut tasks = Vec::new();
    for _ in 0..opts.clients {
        let st = state.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            let who = candour_core::identity::Principal::Anonymous;
            while Instant::now() < deadline {
                let started = Instant::now();
                let r = match candour_web::intake::prepare(&st, &who, body.clone(), None, Utc::now()).await {
                    Ok((req, _)) => st.store.create_report(req).await.is_ok(),
                    Err(_) => false,
                };
                lat.push(started.elapsed().as_micros() as u64);
                if r {
                    ok += 1
                } else {
                    err += 1
                }
            }
            (ok, err, lat)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.map_err(|e| CliError::Message(e.to_string()))?);
    }
    let ceiling = phase("store (direct create_report)", results, opts.seconds);

    // Phase 2: through HTTP on loopback, the server's full stack (axum, body limit, JSON, metrics).
    let app = candour_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // The client is a minimal keep-alive HTTP/1.1 writer of one prepared request (as wrk is): it shares
    // the machine's two cores with the server, so a heavier client would measure itself.
    let request = Arc::new(
        format!(
            "POST /api/v1/reports HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
            BODY.len()
        )
        .into_bytes(),
    );
    let deadline = Instant::now() + dur;
    let mut tasks = Vec::new();
    for _ in 0..opts.clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            let mut conn: Option<RawClient> = None;
            while Instant::now() < deadline {
                let started = Instant::now();
                if conn.is_none() {
                    conn = RawClient::connect(addr).await.ok();
                }
                let status = match conn.as_mut() {
                    Some(c) => c.send(&request).await.ok(),
                    None => None,
                };
                lat.push(started.elapsed().as_micros() as u64);
                match status {
                    Some(201) => ok += 1,
                    Some(_) => err += 1,
                    None => {
                        err += 1;
                        conn = None;
                    }
                }
            }
            (ok, err, lat)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.map_err(|e| CliError::Message(e.to_string()))?);
    }
    let http = phase("HTTP POST /api/v1/reports", results, opts.seconds);
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
    let ratio = if ceiling.per_second > 0.0 {
        http.per_second / ceiling.per_second
    } else {
        0.0
    };
    Ok(IntakeResult {
        backend,
        clients: opts.clients,
        http,
        ceiling,
        ratio,
    })
}

/// One keep-alive HTTP/1.1 connection that sends a prepared request and reads the status of its response.
struct RawClient {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
}

impl RawClient {
    async fn connect(addr: std::net::SocketAddr) -> std::io::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Send `request` and read the whole response (headers, then `content-length` bytes); its status.
    async fn send(&mut self, request: &[u8]) -> std::io::Result<u16> {
        use std::io::{Error, ErrorKind};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.stream.write_all(request).await?;
        self.buf.clear();
        // Status and total length, parsed once the head has arrived.
        let mut response: Option<(u16, usize)> = None;
        loop {
            if response.is_none() {
                if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4) {
                    let head =
                        std::str::from_utf8(&self.buf[..end]).map_err(|e| Error::new(ErrorKind::InvalidData, e))?;
                    let status: u16 = head
                        .get(9..12)
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| Error::new(ErrorKind::InvalidData, "no status line"))?;
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .ok_or_else(|| Error::new(ErrorKind::InvalidData, "no content-length"))?;
                    response = Some((status, end + len));
                }
            }
            if let Some((status, total)) = response {
                if self.buf.len() >= total {
                    return Ok(status);
                }
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(ErrorKind::UnexpectedEof.into());
            }
        }
    }
}

/// Routing figures: time per `decide()` (routing and every obligation's deadline) for each example.
#[derive(Debug, Clone, Serialize)]
pub struct RoutingResult {
    /// Example name and its median time per decision, microseconds.
    pub per_example_us: Vec<(String, f64)>,
    /// The slowest example's median, microseconds.
    pub worst_median_us: f64,
}

/// Time routing decisions for every documented example, `rounds` rounds of `per_round` decisions each,
/// reporting the median round per example.
pub fn routing(rounds: usize, per_round: usize) -> Result<RoutingResult, CliError> {
    use candour_core::routing::{decide, OrgFacts, Tables};
    let t = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let tables = Tables::embedded(&t).map_err(|e| CliError::Message(e.to_string()))?;
    let examples = [
        (
            "clinical_safety",
            include_str!("../../../docs/examples/clinical_safety.json"),
        ),
        (
            "cyber_incident",
            include_str!("../../../docs/examples/cyber_incident.json"),
        ),
        (
            "suspicious_activity",
            include_str!("../../../docs/examples/suspicious_activity.json"),
        ),
        (
            "vulnerability",
            include_str!("../../../docs/examples/vulnerability.json"),
        ),
        (
            "device_incident",
            include_str!("../../../docs/examples/device_incident.json"),
        ),
    ];
    let org = OrgFacts { oes: true, dspt: true };
    let mut per_example_us = Vec::new();
    for (name, json) in examples {
        let body: ReportBody = serde_json::from_str(json)?;
        let now = Utc::now();
        let r = body.validate(&t, now)?;
        let mut times = Vec::with_capacity(rounds);
        let mut routes = 0usize;
        for _ in 0..rounds.max(1) {
            let started = Instant::now();
            for _ in 0..per_round.max(1) {
                routes += std::hint::black_box(decide(&tables, &t, &r, org, now)).routes.len();
            }
            times.push(started.elapsed().as_secs_f64() * 1e6 / per_round.max(1) as f64);
        }
        if routes == 0 {
            return Err(CliError::Message(format!("{name} was routed nowhere")));
        }
        per_example_us.push((name.to_string(), median(times)));
    }
    let worst_median_us = per_example_us.iter().map(|x| x.1).fold(0.0, f64::max);
    Ok(RoutingResult {
        per_example_us,
        worst_median_us,
    })
}

/// Outbox figures.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxResult {
    /// Messages delivered per run.
    pub messages: usize,
    /// Messages per second, median of the runs.
    pub per_second: f64,
    /// Distinct idempotency keys the receiver saw in the last run (must equal `messages`).
    pub distinct_received: usize,
}

/// Deliver `messages` webhook messages (one per report, written with the report) from a fresh SQLite
/// store to a receiver on loopback, `runs` times; report the median rate.
pub async fn outbox(messages: usize, runs: usize) -> Result<OutboxResult, CliError> {
    use axum::routing::post;
    use std::collections::HashSet;
    use std::sync::Mutex;
    let mut rates = Vec::new();
    let mut distinct = 0;
    for _ in 0..runs.max(1) {
        let seen: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(HashSet::new()));
        let s2 = seen.clone();
        let app = axum::Router::new().route(
            "/hook",
            post(move |h: axum::http::HeaderMap| {
                let s2 = s2.clone();
                async move {
                    if let (Ok(mut s), Some(k)) = (s2.lock(), h.get("idempotency-key").and_then(|v| v.to_str().ok())) {
                        s.insert(k.to_string());
                    }
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let hook = format!("http://{}/hook", listener.local_addr()?);
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let dir = std::env::temp_dir().join(format!("candour-bench-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let store: DynStore =
            Arc::new(candour_store::SqliteStore::open(&format!("sqlite://{}", dir.join("b.db").display())).await?);
        let t = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
        let body: ReportBody = serde_json::from_str(BODY)?;
        let planned = vec![candour_core::outbox::Planned {
            destination: "supplier_safety".into(),
            name: "Supplier".into(),
            channel: candour_core::outbox::Channel::Webhook,
            address: hook,
            purpose: candour_core::outbox::Purpose::Routed,
        }];
        let mut pending = Vec::new();
        for _ in 0..messages {
            let now = Utc::now();
            let req = CreateReport {
                report: body.clone().validate(&t, now)?,
                taxonomy_version: t.version.clone(),
                actor: "bench".into(),
                idempotency: None,
                routing: None,
                deliveries: planned.clone(),
                now,
                tracking_hash: None,
                attachments_from_draft: None,
                original: None,
                keep_draft_originals: false,
            };
            let store = store.clone();
            pending.push(tokio::spawn(async move { store.create_report(req).await }));
        }
        for p in pending {
            p.await.map_err(|e| CliError::Message(e.to_string()))??;
        }
        let d = candour_deliver::Deliverer::new(store.clone(), None, Some(b"bench-secret".to_vec()))
            .map_err(|e| CliError::Message(e.to_string()))?;
        let started = Instant::now();
        let mut sent = 0;
        while sent < messages {
            let n = d
                .run_once(Utc::now())
                .await
                .map_err(|e| CliError::Message(e.to_string()))?;
            if n == 0 {
                break;
            }
            sent += n;
        }
        rates.push(sent as f64 / started.elapsed().as_secs_f64());
        distinct = seen.lock().map(|s| s.len()).unwrap_or(0);
        server.abort();
        let _ = std::fs::remove_dir_all(&dir);
        if distinct != messages {
            return Err(CliError::Message(format!(
                "receiver saw {distinct} distinct messages, expected {messages}"
            )));
        }
    }
    Ok(OutboxResult {
        messages,
        per_second: median(rates),
        distinct_received: distinct,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn median_phase(phases: &[&Phase]) -> Phase {
    let m = |f: fn(&Phase) -> f64| median(phases.iter().map(|p| f(p)).collect());
    Phase {
        name: phases.first().map(|p| p.name.clone()).unwrap_or_default(),
        ok: phases.iter().map(|p| p.ok).sum(),
        errors: phases.iter().map(|p| p.errors).sum(),
        per_second: m(|p| p.per_second),
        p50_ms: m(|p| p.p50_ms),
        p99_ms: m(|p| p.p99_ms),
    }
}

/// The per-metric median of several runs (this machine is noisy). Counts are summed.
pub fn median_of(runs: &[IntakeResult]) -> Option<IntakeResult> {
    let first = runs.first()?;
    Some(IntakeResult {
        backend: first.backend.clone(),
        clients: first.clients,
        http: median_phase(&runs.iter().map(|r| &r.http).collect::<Vec<_>>()),
        ceiling: median_phase(&runs.iter().map(|r| &r.ceiling).collect::<Vec<_>>()),
        ratio: median(runs.iter().map(|r| r.ratio).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(rate: f64) -> Phase {
        Phase {
            name: "x".into(),
            ok: 10,
            errors: 0,
            per_second: rate,
            p50_ms: rate / 1000.0,
            p99_ms: rate / 100.0,
        }
    }

    #[test]
    fn medians_are_per_metric() {
        let run = |h: f64, c: f64| IntakeResult {
            backend: "sqlite".into(),
            clients: 4,
            http: phase(h),
            ceiling: phase(c),
            ratio: h / c,
        };
        let m = median_of(&[run(100.0, 200.0), run(300.0, 400.0), run(200.0, 1000.0)]).unwrap();
        assert_eq!(m.http.per_second, 200.0);
        assert_eq!(m.ceiling.per_second, 400.0);
        assert_eq!(m.http.ok, 30);
        assert_eq!(m.ratio, 0.5);
        assert!(median_of(&[]).is_none());
        assert_eq!(median(vec![1.0, 3.0]), 2.0);
    }
}

/// IOC extraction figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IocResult {
    /// Size of the generated paste.
    pub megabytes: f64,
    /// Observables found per run.
    pub found: usize,
    /// Median throughput.
    pub mb_per_s: f64,
    /// Median throughput of the regular-expression extractor.
    pub regex_mb_per_s: f64,
    /// `mb_per_s / regex_mb_per_s`.
    pub ratio: f64,
}

/// A realistic paste: mostly prose and alert text, with log lines carrying addresses, defanged URLs,
/// domains, hashes, mail senders, file names and CVE ids.
fn paste(megabytes: usize) -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let words = [
        "the",
        "ward",
        "PC",
        "showed",
        "a",
        "ransom",
        "note",
        "after",
        "user",
        "opened",
        "attachment",
        "pharmacy",
        "system",
        "was",
        "isolated",
        "by",
        "IT",
        "at",
        "09:14",
        "and",
        "downtime",
        "procedures",
        "started",
        "for",
        "prescribing",
        "v24.3.1",
        "EPR",
        "alert",
        "Defender",
        "blocked",
        "process",
        "on",
        "host",
        "WARD-PC-07",
        "(see",
        "ticket",
        "INC-48213)",
        "patients",
        "were",
        "not",
        "harmed;",
        "clinic",
        "postponed.",
    ];
    let target = megabytes * 1024 * 1024;
    let mut s = String::with_capacity(target + 512);
    let mut n = 0u32;
    while s.len() < target {
        n += 1;
        if rng.gen_range(0..10) < 7 {
            for _ in 0..rng.gen_range(8..20) {
                s.push_str(words[rng.gen_range(0..words.len())]);
                s.push(' ');
            }
            s.push('\n');
        } else {
            let hash: String = (0..64)
                .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
                .collect();
            s.push_str(&format!(
                "2026-11-20T09:{:02}:{:02}Z DENY src=10.2.{}.{} dst=185.220.{}.{} host=update{n}.evil-cdn[.]ru \
                 url=hxxps://login-nhs[.]portal{n}.xyz/owa/auth.php from=\"Support\" <it{n}@nhs-verify.com> \
                 file=invoice_{n}.xlsm sha256={hash} exploit=CVE-2024-{}\n",
                n % 60,
                n % 60,
                n % 250,
                n % 200,
                n % 250,
                n % 199,
                3400 + n % 500
            ));
        }
    }
    s
}

/// A regular-expression extractor of the kind found in many tools: refang, then one pattern per kind.
fn regex_extract(res: &[regex::Regex], text: &str) -> usize {
    let text = text.replace("[.]", ".").replace("hxxp", "http");
    res.iter().map(|r| r.find_iter(&text).count()).sum()
}

/// Time IOC extraction over a generated paste; median of `runs`.
pub fn ioc(megabytes: usize, runs: usize) -> IocResult {
    let text = paste(megabytes.max(1));
    let mb = text.len() as f64 / (1024.0 * 1024.0);
    let res: Vec<regex::Regex> = [
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b",
        r"\bhttps?://[^\s<>\x22]+",
        r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b",
        r"\b(?:[A-Za-z0-9-]+\.)+(?:com|net|org|ru|xyz|uk|io)\b",
        r"\b[a-fA-F0-9]{64}\b",
        r"\b[a-fA-F0-9]{40}\b",
        r"\b[a-fA-F0-9]{32}\b",
        r"\bCVE-\d{4}-\d{4,7}\b",
    ]
    .iter()
    .filter_map(|p| regex::Regex::new(p).ok())
    .collect();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut found = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        found = std::hint::black_box(candour_ioc::extract(&text)).len();
        ours.push(mb / t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(regex_extract(&res, &text));
        theirs.push(mb / t.elapsed().as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut ours), median(&mut theirs));
    IocResult {
        megabytes: mb,
        found,
        mb_per_s: a,
        regex_mb_per_s: b,
        ratio: a / b,
    }
}

/// STIX export figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StixResult {
    /// Indicators in the incident.
    pub indicators: usize,
    /// Objects in the bundle.
    pub objects: usize,
    /// Bytes of JSON.
    pub bytes: usize,
    /// Median milliseconds to build and serialise the bundle.
    pub median_ms: f64,
}

/// Time the STIX 2.1 export of the documented cyber incident carrying `indicators` distinct indicators
/// (addresses, domains, URLs and hashes); median of `runs`.
pub fn stix(indicators: usize, runs: usize) -> Result<StixResult, CliError> {
    let t = Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
    let body: ReportBody = serde_json::from_str(include_str!("../../../docs/examples/cyber_incident.json"))?;
    let now = Utc::now();
    let v = body.validate(&t, now)?;
    let rec = candour_core::record::ReportRecord::new_received(
        uuid::Uuid::now_v7(),
        candour_core::Reference::new(candour_core::ReportKind::CyberIncident, 2026, 1),
        t.version.clone(),
        v,
        None,
        now,
    )
    .map_err(|e| CliError::Message(e.to_string()))?;
    let mut paste = String::new();
    for i in 0..indicators {
        let line = match i % 4 {
            0 => format!("185.{}.{}.{}\n", 1 + i / 65536 % 200, i / 256 % 256, i % 256),
            1 => format!("update{i}.evil-cdn.ru\n"),
            2 => format!("hxxps://login{i}[.]portal-nhs[.]xyz/owa\n"),
            _ => format!("{:064x}\n", i as u128 * 0x9e37_79b9_7f4a_7c15),
        };
        paste.push_str(&line);
    }
    let iocs = candour_ioc::unique(candour_ioc::extract(&paste));
    let mut times = Vec::new();
    let (mut objects, mut bytes) = (0, 0);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let t = candour_export::stix::Times::of(&rec);
        let b = candour_export::stix::bundle(&rec, &iocs, candour_export::stix::Tlp::Amber, &t);
        let text = serde_json::to_string(&b)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        objects = b.objects.len();
        bytes = text.len();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(StixResult {
        indicators: iocs.len(),
        objects,
        bytes,
        median_ms: times[times.len() / 2],
    })
}

/// What `candour bench screenshot` measured.
pub struct ScreenshotResult {
    pub median_s: f64,
    pub p90_s: f64,
    pub scale: String,
    pub scores: candour_image::synth::ScreenScores,
}

/// Redact generated EPR screens one after another (one core: Tesseract single-threaded) and score them.
pub fn screenshot(first: u64, count: u64) -> Result<ScreenshotResult, CliError> {
    use candour_image::synth;
    let fonts = synth::Fonts::load().map_err(|e| CliError::Message(e.to_string()))?;
    let ocr = candour_image::ocr::Tesseract::new(None).map_err(|e| CliError::Message(e.to_string()))?;
    let text = candour_redact::Redactor::new();
    let limits = candour_image::Limits::default();
    let mut scores = synth::ScreenScores::default();
    let mut times = Vec::new();
    for seed in first..first + count.max(1) {
        let s = synth::screen(&fonts, seed);
        let png = candour_image::encode_png(&s.image).map_err(|e| CliError::Message(e.to_string()))?;
        let t = Instant::now();
        let r = candour_image::redact(&png, &limits, &ocr, &text, &[]).map_err(|e| CliError::Message(e.to_string()))?;
        times.push(t.elapsed().as_secs_f64());
        scores.add(seed, &s, &r.boxes.iter().map(|b| b.rect).collect::<Vec<_>>());
    }
    times.sort_by(f64::total_cmp);
    Ok(ScreenshotResult {
        median_s: times[times.len() / 2],
        p90_s: times[(times.len() * 9 / 10).min(times.len() - 1)],
        scale: std::env::var("CANDOUR_OCR_SCALE").unwrap_or_else(|_| "1.5".into()),
        scores,
    })
}

/// What `candour bench hazards` measured (medians).
pub struct HazardsResult {
    pub hazards: usize,
    /// Read the log from the store and render the page's table and heat maps.
    pub html_ms: f64,
    pub html_bytes: usize,
    /// Read the log from the store and write the XLSX.
    pub xlsx_ms: f64,
    pub xlsx_bytes: usize,
    /// Read the log from the store only (part of both figures above).
    pub read_ms: f64,
}

/// A hazard log of `n` generated hazards in a fresh SQLite store: time reading it and rendering it as the
/// workspace's HTML table (target ≤ 200 ms at 10,000) and exporting it as XLSX (target ≤ 2 s).
pub async fn hazards(n: usize, runs: usize) -> Result<HazardsResult, CliError> {
    use candour_core::identity::{Grant, ManageHazards, Principal, Role, ViewHazards};
    let dir = std::env::temp_dir().join(format!("candour-bench-hazards-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store: DynStore = Arc::new(candour_store::SqliteStore::open(&url).await?);
    let cso = Principal::Known {
        id: "bench".into(),
        name: "Bench CSO".into(),
        grants: vec![Grant {
            role: Role::ClinicalSafetyOfficer,
            org: None,
        }],
    };
    let manage = cso
        .can::<ManageHazards>()
        .ok_or_else(|| CliError::Message("no grant".into()))?;
    let view = cso
        .can::<ViewHazards>()
        .ok_or_else(|| CliError::Message("no grant".into()))?;
    let scheme = candour_core::clinical::RiskScheme::dcb0129_example().map_err(|e| CliError::Message(e.to_string()))?;
    let project: candour_core::clinical::SafetyProject = serde_json::from_value(serde_json::json!({
        "ods_code": "RZX", "name": "Bench EPR", "system": "Bench EPR 1", "standard": "DCB0160",
        "intended_use": "Benchmark", "lifecycle_phase": "live"
    }))?;
    let p = store
        .create_safety_project(&manage, project, scheme.reference(), Utc::now())
        .await?;
    let sample = candour_sheets::sample_hazards(n, &scheme);
    for chunk in sample.chunks(1000) {
        store
            .import_hazards(&manage, p.id, chunk.to_vec(), "bench".into(), Utc::now())
            .await?;
    }
    let pid = p.id.to_string();
    let (mut html, mut xlsx, mut read) = (Vec::new(), Vec::new(), Vec::new());
    let (mut html_bytes, mut xlsx_bytes) = (0, 0);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let log = store.hazards(&view, p.id).await?;
        read.push(t.elapsed().as_secs_f64() * 1000.0);
        let page = candour_web::ui::safety::log_html(&pid, &scheme, &log);
        html.push(t.elapsed().as_secs_f64() * 1000.0);
        html_bytes = page.len();
        let t = Instant::now();
        let log = store.hazards(&view, p.id).await?;
        let rows: Vec<candour_sheets::Row> = log
            .iter()
            .map(|h| candour_sheets::Row {
                id: h.hazard_id.clone(),
                hazard: &h.hazard,
            })
            .collect();
        let bytes =
            candour_sheets::export_xlsx("Bench EPR", &scheme, &rows).map_err(|e| CliError::Message(e.to_string()))?;
        xlsx.push(t.elapsed().as_secs_f64() * 1000.0);
        xlsx_bytes = bytes.len();
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(HazardsResult {
        hazards: n,
        html_ms: median(html),
        html_bytes,
        xlsx_ms: median(xlsx),
        xlsx_bytes,
        read_ms: median(read),
    })
}
