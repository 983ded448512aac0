//! What a run is told, in two parts. No I/O here: the CLI (or a library caller) fills
//! these in, the pipeline reads them.
//!
//! * [`AnalysisOptions`]: what judging one photo needs (the policy, limits, how text is
//!   read, the post, consents, the day, switched-off rules). The [`Engine`] holds these
//!   and nothing else: the same options give the same report, whatever runs it.
//! * [`CopyOptions`]: where share-safe copies are written and whether they may replace
//!   files, given to the engine's methods that write a file (`Engine::clean`,
//!   `Engine::clean_analysed`) by whoever chooses the files: the CLI, `watch`.
//!
//! How many photos run at once is the batch runner's argument
//! (`pipeline::run_parallel`'s `jobs`), not an option of either. The resource limits
//! live in [`crate::limits`], which the stages read.
//!
//! [`Engine`]: crate::pipeline::Engine

use crate::limits::Limits;
use std::path::PathBuf;

/// Everything that shapes the analysis of a photo: what the [`Engine`] judges by.
///
/// [`Engine`]: crate::pipeline::Engine
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Policy profile id (`strictest` by default).
    pub policy: String,
    /// Resource limits per photo.
    pub limits: Limits,
    /// Show found text unmasked (off by default: reports must not leak PHI).
    pub show_text: bool,
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

impl Default for AnalysisOptions {
    fn default() -> AnalysisOptions {
        AnalysisOptions {
            policy: "strictest".to_string(),
            limits: Limits::default(),
            show_text: false,
            ocr: crate::ocr::Strategy::Scene,
            post: Default::default(),
            consent: None,
            today: None,
            switches: Default::default(),
        }
    }
}

/// How share-safe copies are written to files: not part of the judgement, so not the
/// engine's; given to `Engine::clean` and `Engine::clean_analysed` with each copy's path.
/// The default writes anywhere it is told and never replaces a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// The folder the copies go in (`clean --out`, `watch`'s SAFE): a copy's path must lie
    /// inside it, and no folder between it and the copy may be a symbolic link. `None`:
    /// no such check (the caller chose each path).
    pub out_dir: Option<PathBuf>,
    /// Replace an existing file (`clean --force`); otherwise a different file already at
    /// a copy's path is an error, and an identical one is kept.
    pub force: bool,
}
