//! The routing tables in force: those built into Candour until an administrator saves a version, then the
//! newest saved version. A version is checked before it is stored, and checked again when loaded (a newer
//! Candour may have a stricter taxonomy): one that fails is logged and the tables already in force stay.

use crate::AppState;
use candour_core::routing::{TableError, Tables, EMBEDDED};
use candour_core::Taxonomy;

/// The file names errors are reported against.
pub const FILES: [&str; 3] = ["directory.toml", "rules.toml", "obligations.toml"];

/// Check the three files together (directory, rules, obligations), naming the file, line and reason of the
/// first problem.
pub fn check(t: &Taxonomy, files: [&str; 3]) -> Result<Tables, TableError> {
    Tables::parse(t, (FILES[0], files[0]), (FILES[1], files[1]), (FILES[2], files[2]))
}

/// The tables built into this build, as file texts.
pub fn embedded_files() -> [&'static str; 3] {
    [EMBEDDED[0].1, EMBEDDED[1].1, EMBEDDED[2].1]
}

/// Put the newest stored version in force if it is not already. Returns the version now in force.
pub async fn refresh(st: &AppState) -> Result<i64, candour_store::StoreError> {
    let (current, _) = st.routing.get();
    let Some(v) = st.store.routing_version(None).await? else {
        return Ok(current);
    };
    if v.version == current {
        return Ok(current);
    }
    match check(&st.taxonomy, [&v.files[0], &v.files[1], &v.files[2]]) {
        Ok(tables) => {
            st.routing.replace(v.version, tables);
            tracing::info!(version = v.version, labels = %v.labels, "routing tables in force");
            Ok(v.version)
        }
        Err(e) => {
            tracing::error!(version = v.version, error = %e, "stored routing tables rejected; the previous tables stay in force");
            Ok(current)
        }
    }
}

/// Follow saved versions (another instance may save one): check every `every`.
pub async fn follow(st: AppState, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = refresh(&st).await {
            tracing::warn!(error = %e, "could not check for new routing tables");
        }
    }
}
