//! The `candour` command.

use candour::config::Config;
use candour::{bench, demo, ops, CliError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: intake allocates many short-lived strings and JSON trees on two threads at once, and glibc's
/// allocator spent about 15% of intake CPU in malloc/free (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "candour",
    version,
    about = "Report IT, cyber and device safety problems in health and care; route, track and learn from them."
)]
struct Cli {
    /// A TOML configuration file (default: $CANDOUR_CONFIG, or ./candour.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API.
    Serve,
    /// Seed realistic fictional demo data into an embedded database and serve it.
    Demo {
        /// Where the demo database lives.
        #[arg(long, default_value = "candour-demo")]
        data_dir: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// How many reports to create.
        #[arg(long, default_value_t = 200)]
        reports: usize,
        /// Seed and exit without serving.
        #[arg(long)]
        seed_only: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Submit or show reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent backup while Candour keeps running.
    Backup {
        /// Output file (must not exist).
        out: PathBuf,
    },
    /// Restore a backup into the configured database (stop `candour serve` first).
    Restore {
        /// Backup file.
        input: PathBuf,
        /// Replace an existing SQLite database.
        #[arg(long)]
        force: bool,
    },
    /// Local accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Routing tables.
    Routing {
        #[command(subcommand)]
        command: RoutingCommand,
    },
    /// Print the OpenAPI 3.1 document.
    Openapi,
    /// Remove patient-identifiable data.
    Redact {
        #[command(subcommand)]
        command: RedactCommand,
    },
    /// Check Candour's own safety case (DIR/candour.toml) and regenerate its documents; with --check, fail
    /// if they are out of date instead (CI).
    SafetyCase {
        /// The folder holding candour.toml.
        #[arg(default_value = "docs/safety")]
        dir: PathBuf,
        #[arg(long)]
        check: bool,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Validate and store a report from a JSON file.
    Submit {
        /// The report as JSON (see docs/examples/).
        #[arg(long)]
        file: PathBuf,
    },
    /// Print a report and its revisions as JSON.
    Show {
        /// Reference, e.g. CS-2026-000123.
        reference: String,
    },
}

#[derive(Subcommand)]
enum RedactCommand {
    /// Redact text: a FILE (prints the redacted text), or with `--format jsonl` lines of
    /// `{"id": …, "text": …}` on standard input, answered by lines of
    /// `{"id": …, "redacted": …, "spans": [{"start": …, "end": …, "type": …}]}` (offsets in Unicode scalar
    /// values of the original text).
    Text {
        /// A text file (omit with --format jsonl).
        file: Option<PathBuf>,
        /// `plain` (default) or `jsonl`.
        #[arg(long, default_value = "plain")]
        format: String,
    },
    /// Write the labelled synthetic evaluation corpus as JSONL, one document a line:
    /// `{"id", "text", "spans": [{"start", "end", "type"}], "keep": [{"start", "end"}]}` (char offsets).
    /// Used by scripts/presidio-bench to score Candour and a peer on the same documents.
    Corpus {
        /// Seed (the quality gate uses 2026).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Number of documents.
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// `main` (the template family the engine was tuned on) or `holdout`.
        #[arg(long, default_value = "main")]
        family: String,
    },
    /// Redact a screenshot (PNG, JPEG or WebP): OCR with Tesseract, the text engine over the words, solid
    /// boxes, re-encoded as PNG without metadata. Prints the boxes as JSON. With a folder for IN, every
    /// image in it is redacted into the folder OUT (with NAME.boxes.json beside each) and the median time
    /// per image is printed.
    Image {
        /// The image, or a folder of images.
        input: PathBuf,
        /// Where the redacted PNG goes (a folder when IN is a folder).
        output: PathBuf,
        /// A text file whose names are also looked for in the image (the report's narrative).
        #[arg(long)]
        context: Option<PathBuf>,
    },
    /// Write synthetic EPR screenshots with their identifier boxes: DIR/SEED.png and DIR/SEED.json
    /// (`[{"x","y","w","h","type"}]`, type KEEP for clinical words that must stay readable).
    Screens {
        /// Folder to write into.
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        first: u64,
        #[arg(long, default_value_t = 20)]
        count: u64,
    },
}

#[derive(Subcommand)]
enum RoutingCommand {
    /// Check directory.toml, rules.toml and obligations.toml in DIR together, as the workspace editor
    /// does before saving: prints the first problem as file:line: reason (exit 2), or the versions.
    Check {
        /// Folder holding the three files (e.g. data/routing).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and report the first broken link.
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input.
    Add {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        display_name: String,
        /// Role, or role@ODS for one organisation (repeatable): reporter, handler, clinical_safety_officer,
        /// cyber_analyst, admin, auditor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Create an API token for an account and print it once.
    Token {
        /// Account.
        #[arg(long)]
        username: String,
        /// A label for the token.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// A hazard log of N hazards: read and render as the workspace's HTML (target ≤ 200 ms at 10,000) and
    /// export as XLSX (target ≤ 2 s).
    Hazards {
        #[arg(long, default_value_t = 10_000)]
        hazards: usize,
        /// Runs (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Outbox delivery rate to a webhook receiver on loopback (target: at least 1,000 messages/s).
    Outbox {
        /// Messages per run.
        #[arg(long, default_value_t = 5000)]
        messages: usize,
        /// Runs (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Indicator-of-compromise extraction from pasted text, MB/s on one core (target: at least 50), beside a
    /// regular-expression extractor over the same text.
    Ioc {
        /// Megabytes of generated paste per run.
        #[arg(long, default_value_t = 32)]
        megabytes: usize,
        /// Runs (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Screenshot redaction on generated 1280×720-class EPR screens with known identifier boxes: median
    /// seconds per screen on one core (target: at most 0.5) and box recall (target: at least 0.98; every
    /// NHS number and banner name).
    Screenshot {
        /// Screens (seeds FIRST..FIRST+COUNT).
        #[arg(long, default_value_t = 50)]
        count: u64,
        #[arg(long, default_value_t = 1001)]
        first: u64,
    },
    /// STIX 2.1 export of a cyber incident with many indicators, milliseconds (target: 10,000 in at most 200).
    Stix {
        /// Indicators in the incident.
        #[arg(long, default_value_t = 10_000)]
        indicators: usize,
        /// Runs (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time routing and obligation computation per report (target: at most 50 µs).
    Routing {
        /// Rounds (the median round is reported).
        #[arg(long, default_value_t = 21)]
        rounds: usize,
        /// Decisions per round.
        #[arg(long, default_value_t = 2000)]
        per_round: usize,
    },
    /// Durable submissions/s through HTTP, beside the store's direct-insert ceiling.
    Intake {
        /// Concurrent clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds per phase.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Bench PostgreSQL at this URL (a fresh schema is used) instead of a fresh SQLite file.
        #[arg(long)]
        postgres: Option<String>,
        /// Repeat the whole run this many times and report per-metric medians.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    single_threaded_ocr();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CANDOUR_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Tesseract's OpenMP threads make OCR several times slower on small machines (domain notes §7.3), and
/// libgomp reads OMP_THREAD_LIMIT once, when it is loaded, before `main` runs: so when it is not set,
/// run this program again with it set. OCR is parallelised across images instead.
fn single_threaded_ocr() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    if let Ok(exe) = std::env::current_exe() {
        let mut args = std::env::args_os();
        let mut cmd = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            cmd.arg0(arg0);
        }
        let err = cmd.args(args).env("OMP_THREAD_LIMIT", "1").exec();
        // Only reached when the exec failed: carry on, slower.
        eprintln!("warning: could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR will be slower");
    }
}

async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let load = || Config::load(cli.config.as_deref());
    match cli.command {
        Command::Serve => {
            let config = load()?;
            let store = ops::open_store(&config).await?;
            let db = config.database_url.to_string();
            ops::serve(&config, store, |addr| {
                println!("Candour is running at http://{addr}/ (database: {db})");
            })
            .await?;
        }
        Command::Demo {
            data_dir,
            listen,
            reports,
            seed_only,
        } => {
            let mut config = load()?;
            config.database_url =
                candour_store::DatabaseUrl::new(format!("sqlite://{}", data_dir.join("candour.db").display()));
            config.data_dir = data_dir;
            config.listen = listen;
            let store = ops::open_store(&config).await?;
            let made = demo::seed(&store, reports, chrono::Utc::now()).await?;
            if made > 0 {
                println!("Seeded {made} fictional reports into {}", config.data_dir.display());
            }
            if seed_only {
                return Ok(ExitCode::SUCCESS);
            }
            ops::serve(&config, store, |addr| {
                println!("\nCandour demo is running at http://{addr}/");
                println!("API: http://{addr}/api/v1/openapi.json");
                println!("Demo logins (password for all: {}):", demo::DEMO_PASSWORD);
                for l in demo::logins() {
                    println!("  {:<20} {}", l.username, l.role);
                }
                println!("Press Ctrl-C to stop.");
            })
            .await?;
        }
        Command::Migrate => {
            let config = load()?;
            ops::open_store(&config).await?;
            println!("Database is up to date ({}).", config.database_url);
        }
        Command::Report { command } => {
            let store = ops::open_store(&load()?).await?;
            match command {
                ReportCommand::Submit { file } => {
                    let c = ops::submit_file(&store, &file).await?;
                    println!("{}", serde_json::json!({"reference": c.reference, "id": c.id}));
                }
                ReportCommand::Show { reference } => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&ops::show(&store, &reference).await?)?
                    );
                }
            }
        }
        Command::Routing {
            command: RoutingCommand::Check { dir },
        } => {
            let t = candour_core::Taxonomy::embedded().map_err(|e| CliError::Message(e.to_string()))?;
            let mut files = Vec::new();
            for name in candour_web::policy::FILES {
                let path = dir.join(name);
                files.push(
                    std::fs::read_to_string(&path)
                        .map_err(|e| CliError::Message(format!("cannot read {}: {e}", path.display())))?,
                );
            }
            match candour_web::policy::check(&t, [&files[0], &files[1], &files[2]]) {
                Ok(tables) => println!(
                    "routing tables OK: {} / {} / {}",
                    tables.directory.version, tables.rules.version, tables.policy.version
                ),
                Err(e) => {
                    println!("{}:{}: {}", dir.join(&e.file).display(), e.line, e.reason);
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = ops::open_store(&load()?).await?;
            match ops::audit_verify(&store).await? {
                Ok(n) => println!("audit chain intact: {n} entries"),
                Err(broken) => {
                    println!("{broken}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Backup { out } => {
            ops::backup(&load()?, &out).await?;
            println!("backup written to {}", out.display());
        }
        Command::Restore { input, force } => {
            let n = ops::restore(&load()?, &input, force).await?;
            println!("restored; audit chain intact: {n} entries");
        }
        Command::User { command } => {
            let store = ops::open_store(&load()?).await?;
            match command {
                UserCommand::Add {
                    username,
                    display_name,
                    roles,
                } => {
                    let grants = roles
                        .iter()
                        .map(|r| ops::parse_grant(r))
                        .collect::<Result<Vec<_>, _>>()?;
                    let mut password = String::new();
                    std::io::stdin().read_line(&mut password)?;
                    ops::add_user(
                        &store,
                        &username,
                        &display_name,
                        password.trim_end_matches(['\r', '\n']),
                        grants,
                    )
                    .await?;
                    println!("user {username} created");
                }
                UserCommand::Token { username, name } => {
                    println!("{}", ops::add_token(&store, &username, &name).await?);
                }
            }
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&candour_web::openapi::value())?);
        }
        Command::Redact {
            command: RedactCommand::Text { file, format },
        } => {
            return candour::redact::text(file.as_deref(), &format);
        }
        Command::Redact {
            command: RedactCommand::Corpus { seed, n, family },
        } => {
            return candour::redact::corpus(seed, n, &family);
        }
        Command::Redact {
            command: RedactCommand::Image { input, output, context },
        } => {
            return candour::redact::image(&input, &output, context.as_deref());
        }
        Command::Redact {
            command: RedactCommand::Screens { dir, first, count },
        } => {
            return candour::redact::screens(&dir, first, count);
        }
        Command::SafetyCase { dir, check } => {
            candour::safety_case::run(&dir, check)?;
        }
        Command::Bench {
            command: BenchCommand::Hazards { hazards, runs },
        } => {
            let r = bench::hazards(hazards, runs).await?;
            println!(
                "hazards: {} hazards; HTML table and heat maps {:.0} ms ({} KB; target ≤ 200 ms); XLSX {:.0} ms ({} KB; target ≤ 2,000 ms); \
                 reading the log from SQLite {:.0} ms of each; median of {runs}",
                r.hazards,
                r.html_ms,
                r.html_bytes / 1024,
                r.xlsx_ms,
                r.xlsx_bytes / 1024,
                r.read_ms
            );
        }
        Command::Bench {
            command: BenchCommand::Outbox { messages, runs },
        } => {
            let r = bench::outbox(messages, runs).await?;
            println!(
                "outbox: {:.0} messages/s to a loopback webhook receiver (median of {runs} runs of {}; {} distinct received)",
                r.per_second, r.messages, r.distinct_received
            );
        }
        Command::Bench {
            command: BenchCommand::Ioc { megabytes, runs },
        } => {
            let r = bench::ioc(megabytes, runs);
            println!(
                "ioc: {:.0} MB/s on one core (median of {runs} runs over {:.1} MB; {} observables); \
                 regex extractor {:.0} MB/s; ratio {:.1}× (target ≥ 50 MB/s)",
                r.mb_per_s, r.megabytes, r.found, r.regex_mb_per_s, r.ratio
            );
        }
        Command::Bench {
            command: BenchCommand::Screenshot { count, first },
        } => {
            let r = bench::screenshot(first, count)?;
            println!("{}", r.scores);
            println!(
                "screenshot: median {:.3} s per screen (p90 {:.3} s) over {count} screens, one core, OCR at {}x (target ≤ 0.5 s; box recall ≥ 0.98: {:.4})",
                r.median_s, r.p90_s, r.scale, r.scores.recall()
            );
        }
        Command::Bench {
            command: BenchCommand::Stix { indicators, runs },
        } => {
            let r = bench::stix(indicators, runs)?;
            println!(
                "stix: {:.1} ms to build and serialise a bundle of {} objects ({} indicators, {} KB); median of {runs} (target ≤ 200 ms for 10,000)",
                r.median_ms,
                r.objects,
                r.indicators,
                r.bytes / 1024
            );
        }
        Command::Bench {
            command: BenchCommand::Routing { rounds, per_round },
        } => {
            let r = bench::routing(rounds, per_round)?;
            println!("routing + obligations per report (median of {rounds} rounds of {per_round}):");
            for (name, us) in &r.per_example_us {
                println!("  {name:<22} {us:>8.2} µs");
            }
            println!("  worst median: {:.2} µs (target ≤ 50 µs)", r.worst_median_us);
        }
        Command::Bench {
            command:
                BenchCommand::Intake {
                    clients,
                    seconds,
                    postgres,
                    runs,
                    json,
                },
        } => {
            let mut all = Vec::new();
            for _ in 0..runs.max(1) {
                let opts = bench::IntakeOptions {
                    clients,
                    seconds,
                    postgres_url: postgres.clone(),
                };
                all.push(bench::intake(opts).await?);
            }
            let r = bench::median_of(&all).ok_or_else(|| CliError::Message("no runs".into()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "backend {} · {} clients · median of {} runs of {seconds} s",
                    r.backend,
                    r.clients,
                    all.len()
                );
                for p in [&r.http, &r.ceiling] {
                    println!(
                        "  {:<32} {:>9.0}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} ok, {} errors)",
                        p.name, p.per_second, p.p50_ms, p.p99_ms, p.ok, p.errors
                    );
                }
                println!("  ratio HTTP / store ceiling: {:.2}", r.ratio);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
