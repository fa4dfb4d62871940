//! The `candour` command as a user runs it: a real process, real files.

use crate::helpers::*;
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::process::{Command, Output, Stdio};

fn candour(db_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_candour"));
    c.args(args)
        .env("CANDOUR_DATABASE_URL", db_url)
        .env_remove("CANDOUR_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn submit_show_verify_backup_and_restore() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("candour.db").display());
    let file = format!("{}/../../docs/examples/cyber_incident.json", env!("CARGO_MANIFEST_DIR"));
    let o = candour(&url, &["report", "submit", "--file", &file], None);
    assert!(o.status.success(), "{}", text(&o));
    let created: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reference = created["reference"].as_str().unwrap().to_string();
    let o = candour(&url, &["report", "show", &reference], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Ransomware note on imaging workstations"));
    let o = candour(
        &url,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--display-name",
            "Admin",
            "--role",
            "admin",
        ],
        Some("a-long-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = candour(
        &url,
        &[
            "user",
            "add",
            "--username",
            "bad",
            "--display-name",
            "Bad",
            "--role",
            "wizard",
        ],
        Some("a-long-password\n"),
    );
    assert!(
        !o.status.success() && text(&o).contains("unknown role 'wizard'"),
        "{}",
        text(&o)
    );
    let o = candour(&url, &["audit", "verify"], None);
    assert!(
        o.status.success() && text(&o).contains("intact: 2 entries"),
        "{}",
        text(&o)
    );

    let backup = dir.0.join("backup.db");
    let o = candour(&url, &["backup", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = candour(&url, &["backup", backup.to_str().unwrap()], None);
    assert!(!o.status.success(), "refuses to overwrite a backup");

    // Restore into a fresh database, then the report is there and the chain intact.
    let url2 = format!("sqlite://{}", dir.0.join("restored.db").display());
    let o = candour(&url2, &["restore", backup.to_str().unwrap()], None);
    assert!(
        o.status.success() && text(&o).contains("intact: 2 entries"),
        "{}",
        text(&o)
    );
    let o = candour(&url2, &["report", "show", &reference], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = candour(&url2, &["restore", backup.to_str().unwrap()], None);
    assert!(!o.status.success() && text(&o).contains("--force"), "{}", text(&o));

    // Bad input names the field.
    let bad = dir.0.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"kind": "clinical_safety", "ods_code": "RZX", "urgency": "soon"}"#,
    )
    .unwrap();
    let o = candour(&url, &["report", "submit", "--file", bad.to_str().unwrap()], None);
    assert!(!o.status.success() && text(&o).contains("urgency"), "{}", text(&o));
}

#[tokio::test]
async fn audit_verify_exits_non_zero_on_a_tampered_database() {
    let db = sqlite().await;
    db.store
        .create_report(create_req(example("clinical_safety")))
        .await
        .unwrap();
    db.store
        .create_report(create_req(example("vulnerability")))
        .await
        .unwrap();
    let url = db.url();
    assert!(candour(&url, &["audit", "verify"], None).status.success());
    db.exec("UPDATE audit_log SET object_id = 'CS-2026-000999' WHERE seq = 1")
        .await;
    let o = candour(&url, &["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("entry 1"), "{}", text(&o));
}

#[tokio::test]
async fn postgres_backup_and_restore_round_trip() {
    let Some(pg) = pg_url() else { return };
    // A database of its own, as in production (a backup covers the whole database).
    let name = format!("candour_it_{}", uuid::Uuid::new_v4().simple());
    let admin_opts: sqlx::postgres::PgConnectOptions = pg.parse().unwrap();
    let mut c = admin_opts.connect().await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let url = format!("{}/{name}", pg.rsplit_once('/').unwrap().0);
    let store: candour_store::DynStore = std::sync::Arc::new(candour_store::PgStore::connect(&url).await.unwrap());
    store
        .create_report(create_req(example("clinical_safety")))
        .await
        .unwrap();
    let dir = TempDir::new();
    let backup = dir.0.join("pg.dump");
    let o = candour(&url, &["backup", backup.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    sqlx::raw_sql("DELETE FROM audit_log")
        .execute(&mut PgConnection::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(candour(&url, &["audit", "verify"], None).status.code(), Some(2));
    let o = candour(&url, &["restore", backup.to_str().unwrap()], None);
    assert!(
        o.status.success() && text(&o).contains("intact: 1 entries"),
        "{}",
        text(&o)
    );
    drop(store);
    let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut c)
        .await;
}

#[tokio::test]
async fn demo_seeds_every_kind_and_state_with_an_intact_chain() {
    let db = sqlite().await;
    let made = candour::demo::seed(&db.store, 200, chrono::Utc::now()).await.unwrap();
    assert_eq!(made, 200);
    assert_eq!(
        candour::demo::seed(&db.store, 200, chrono::Utc::now()).await.unwrap(),
        0,
        "seeding twice adds nothing"
    );
    let can = admin().can::<candour_core::identity::ViewReports>().unwrap();
    let all = db
        .store
        .list_reports(
            &can,
            &candour_store::ReportFilter {
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 200);
    let kinds: std::collections::BTreeSet<_> = all.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds.len(), 5);
    let statuses: std::collections::BTreeSet<_> = all.iter().map(|s| s.status.as_str()).collect();
    for s in [
        "received",
        "acknowledged",
        "triaged",
        "investigating",
        "made_safe",
        "resolved",
        "closed",
        "withdrawn",
    ] {
        assert!(statuses.contains(s), "no demo report is {s}");
    }
    assert!(candour::ops::audit_verify(&db.store).await.unwrap().is_ok());
    for (u, ..) in candour::demo::LOGINS {
        assert!(db.store.user_by_username(u).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn serve_with_no_configuration_creates_its_database_and_answers() {
    let dir = TempDir::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candour"));
    cmd.arg("serve")
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("CANDOUR_") {
            cmd.env_remove(k);
        }
    }
    // The default port, unless something else on this machine holds it.
    let addr = if std::net::TcpListener::bind("127.0.0.1:8080").is_ok() {
        "127.0.0.1:8080".to_string()
    } else {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap().to_string();
        cmd.env("CANDOUR_LISTEN", &a);
        a
    };
    let mut child = cmd.spawn().unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("http://{addr}/readyz")).await {
            ready = r.status() == 200;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(ready, "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Candour is running at http://{addr}/")));
    assert!(dir.0.join("candour-data/candour.db").exists());
}

#[test]
fn redact_text_jsonl_contract_over_stdin_and_stdout() {
    let input = "{\"id\": \"d1\", \"text\": \"Mr John SMITH, NHS 943 476 5919, phone 0113 496 0123\"}\n{\"id\": 2, \"text\": \"Give 5 mg at 08:00\"}\n";
    let o = candour(
        "sqlite:///nonexistent/never-opened.db",
        &["redact", "text", "--format", "jsonl"],
        Some(input),
    );
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "d1");
    let red = lines[0]["redacted"].as_str().unwrap();
    assert!(
        !red.contains("SMITH") && !red.contains("5919") && !red.contains("0113"),
        "{red}"
    );
    let types: Vec<&str> = lines[0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    for t in ["NAME", "NHS_NUMBER", "PHONE"] {
        assert!(types.contains(&t), "{types:?}");
    }
    assert_eq!(lines[1]["redacted"], "Give 5 mg at 08:00");
    let o = candour(
        "sqlite:///nonexistent/x.db",
        &["redact", "text", "--format", "jsonl"],
        Some("{\"id\": 1}\n"),
    );
    assert!(
        !o.status.success() && text(&o).contains("line 1: field text"),
        "{}",
        text(&o)
    );
    let dir = TempDir::new();
    let f = dir.0.join("note.txt");
    std::fs::write(&f, "Seen by Dr Priya Raman. DOB 12/05/1948.").unwrap();
    let o = candour(
        "sqlite:///nonexistent/x.db",
        &["redact", "text", f.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("Raman") && !out.contains("1948"), "{out}");
}

#[test]
fn routing_check_names_the_file_line_and_reason() {
    let shipped = format!("{}/../../data/routing", env!("CARGO_MANIFEST_DIR"));
    let ok = candour("sqlite::memory:", &["routing", "check", &shipped], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("routing tables OK: candour-directory-1"));

    let dir = TempDir::new();
    for f in ["directory.toml", "rules.toml", "obligations.toml"] {
        std::fs::copy(format!("{shipped}/{f}"), dir.0.join(f)).unwrap();
    }
    let obligations = std::fs::read_to_string(dir.0.join("obligations.toml")).unwrap();
    let broken = obligations.replace("hours = 72\n", "hours = 72\nworking_days = 3\n");
    assert_ne!(broken, obligations);
    std::fs::write(dir.0.join("obligations.toml"), &broken).unwrap();
    let bad = candour("sqlite::memory:", &["routing", "check", dir.0.to_str().unwrap()], None);
    assert_eq!(bad.status.code(), Some(2));
    let out = text(&bad);
    let line = broken
        .lines()
        .position(|l| l.starts_with("id = \"dspt_ico_72h\""))
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!(
            "obligations.toml:{line}: obligation 'dspt_ico_72h' needs exactly one of"
        )),
        "{out}"
    );
}

/// `candour safety-case`: Candour's own safety case in docs/safety is valid and its documents are current;
/// a copy whose controls cite evidence that does not exist is refused, naming the hazard and the evidence,
/// and a stale document is reported by --check and rewritten without it.
#[test]
fn candours_own_safety_case_is_checked_and_regenerated() {
    let repo = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let docs = format!("{repo}/docs/safety");
    let o = candour("sqlite://unused", &["safety-case", &docs, "--check"], None);
    assert!(o.status.success(), "{}", text(&o));

    // Elsewhere (no repository around it), the cited tests and files are missing.
    let dir = TempDir::new();
    std::fs::write(dir.0.join("Cargo.toml"), "").unwrap();
    let safety = dir.0.join("docs/safety");
    std::fs::create_dir_all(&safety).unwrap();
    let toml = std::fs::read_to_string(format!("{docs}/candour.toml")).unwrap();
    std::fs::write(safety.join("candour.toml"), &toml).unwrap();
    let o = candour("sqlite://unused", &["safety-case", safety.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("H-001 control 1: evidence") && text(&o).contains("does not exist"),
        "{}",
        text(&o)
    );

    // With the repository's files present, a stale document is found and then rewritten.
    for f in ["crates", "scripts", "data", "docs/examples"] {
        std::os::unix::fs::symlink(format!("{repo}/{f}"), dir.0.join(f)).unwrap();
    }
    for f in ["cscr.md", "crmp.md", "hazard-log.md", "hazard-log.csv"] {
        std::fs::copy(format!("{docs}/{f}"), safety.join(f)).unwrap();
    }
    std::fs::write(safety.join("cscr.md"), "edited by hand").unwrap();
    let o = candour(
        "sqlite://unused",
        &["safety-case", safety.to_str().unwrap(), "--check"],
        None,
    );
    assert!(!o.status.success() && text(&o).contains("cscr.md"), "{}", text(&o));
    let o = candour("sqlite://unused", &["safety-case", safety.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(safety.join("cscr.md")).unwrap(),
        std::fs::read_to_string(format!("{docs}/cscr.md")).unwrap()
    );
}
