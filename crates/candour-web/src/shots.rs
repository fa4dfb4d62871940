//! Screenshot redaction for the web: Tesseract is started on first use (not for every test or command
//! that builds an [`AppState`]), at most one OCR per core runs at a time so uploads cannot starve intake,
//! and the work runs off the async threads. If OCR cannot start, screenshots are refused, never stored
//! unredacted.

use candour_image::{ImageError, Limits, Ocr, RedactedImage};
use candour_redact::Redactor;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Why a screenshot was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ShotError {
    #[error("screenshots cannot be checked for patient details just now, so we cannot take them: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Image(#[from] ImageError),
}

/// Shared screenshot redactor.
pub struct Screenshots {
    ocr: OnceLock<Result<Arc<dyn Ocr>, String>>,
    permits: Arc<Semaphore>,
    pub limits: Limits,
}

impl Default for Screenshots {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Screenshots {
            ocr: OnceLock::new(),
            permits: Arc::new(Semaphore::new(cores)),
            limits: Limits::default(),
        }
    }
}

impl Screenshots {
    fn engine(&self) -> Result<Arc<dyn Ocr>, ShotError> {
        self.ocr
            .get_or_init(|| {
                candour_image::ocr::Tesseract::new(None)
                    .map(|t| Arc::new(t) as Arc<dyn Ocr>)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(ShotError::Unavailable)
    }

    /// A share of the image work (one per core), held for as long as the work runs.
    pub async fn permit(self: &Arc<Self>) -> Result<tokio::sync::OwnedSemaphorePermit, ShotError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ShotError::Unavailable(e.to_string()))
    }

    /// Redact one image, with the report's own text as context for names.
    pub async fn redact(
        self: &Arc<Self>,
        text: Arc<Redactor>,
        bytes: Vec<u8>,
        context: Vec<String>,
    ) -> Result<RedactedImage, ShotError> {
        // The permit moves into the blocking task: if the request is dropped (the client went away), the
        // OCR still running keeps its core until it finishes, so no more than one OCR per core ever runs.
        let permit = self.permit().await?;
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let ocr = me.engine()?;
            let ctx: Vec<&str> = context.iter().map(String::as_str).collect();
            Ok(candour_image::redact(&bytes, &me.limits, ocr.as_ref(), &text, &ctx)?)
        })
        .await
        .map_err(|e| ShotError::Unavailable(e.to_string()))?
    }
}
