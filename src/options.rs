//! Options for a run. No I/O here: the CLI fills these in, the pipeline reads them.
//! The resource limits inside them live in [`crate::limits`], which the stages read.

use crate::limits::Limits;
use std::path::PathBuf;

/// Everything that shapes one run of the pipeline.
#[derive(Debug, Clone)]
pub struct Options {
    /// Policy profile id (`strictest` by default).
    pub policy: String,
    /// Resource limits per photo.
    pub limits: Limits,
    /// Worker threads; `None` means one per core.
    pub jobs: Option<usize>,
    /// Show found text unmasked (off by default: reports must not leak PHI).
    pub show_text: bool,
    /// For `clean`: where share-safe copies go. `None` for `scan`.
    pub out_dir: Option<PathBuf>,
    /// For `clean`: replace existing files in `out_dir`.
    pub force: bool,
    /// How text is read (the plain baseline exists for measurement).
    pub ocr: crate::ocr::Strategy,
    /// The caption and handle the photos will be posted with (caption and handle rules).
    pub post: crate::rules::post::Post,
    /// Signed patient consents (`--consent`) and the platform the photos go to.
    pub consent: Option<(crate::policy::consent::Registry, String)>,
    /// The day the one-month hold is judged on, in days since 1970-01-01; `None` is
    /// today by the clock.
    pub today: Option<i64>,
    /// Rules switched off for the run (`--ignore`, `medscrub.toml`).
    pub switches: crate::policy::switches::Switches,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            policy: "strictest".to_string(),
            limits: Limits::default(),
            jobs: None,
            show_text: false,
            out_dir: None,
            force: false,
            ocr: crate::ocr::Strategy::Scene,
            post: Default::default(),
            consent: None,
            today: None,
            switches: Default::default(),
        }
    }
}
