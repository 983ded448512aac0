//! medscrub: decide whether a clinical photo may leave, explain why with the policy
//! clauses behind each finding, and make it true.
//!
//! The pipeline runs one way, one module per stage (metadata is read before the pixels
//! are decoded, so that decode applies the orientation `clean` writes back):
//!
//! ```text
//! path ─► intake ─► metadata ─► decode ─► ocr, barcode, scene, face ─► recognize
//!      ─► rules ─► policy ─► action ─► report
//! ```
//!
//! [`pipeline`]'s `Engine` runs the stages in order for each photo; `watch`, `serve`
//! and `cli` are built on it. Modules sit in one-way layers (docs/ARCHITECTURE.md,
//! checked by `tests/integration/layers.rs`): pieces several stages share — [`geometry`],
//! [`raster`], [`dates`], [`limits`] — are at the bottom and depend on nothing of ours.
//! The command line (`cli`) prints the reports: it turns [`report::Report`]s into text
//! or JSON Lines. The rest of the library prints nothing, with one exception: `serve`
//! logs one line per request to stderr.

/// `regex!(name, "pattern")` defines `fn name() -> &'static Regex`, compiled once on
/// first use. Shared by every module that matches text (patterns, post, scene rules).
macro_rules! regex {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static regex::Regex {
            static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
            R.get_or_init(|| regex::Regex::new($re).expect("valid pattern"))
        }
    };
}

pub mod action;
pub mod barcode;
pub mod cli;
pub mod cluster;
pub mod dates;
pub mod decode;
pub mod error;
pub mod exit;
pub mod face;
pub mod geometry;
pub mod intake;
pub mod limits;
pub mod metadata;
pub mod models;
pub mod ocr;
pub mod options;
pub mod pipeline;
pub mod policy;
pub mod pool;
pub mod raster;
pub mod recognize;
pub mod report;
pub mod rules;
pub mod scene;
pub mod serve;
pub mod verdict;
pub mod watch;

pub use error::{ConfigError, Error, Stage};
pub use exit::ExitStatus;
pub use limits::Limits;
pub use options::{AnalysisOptions, CopyOptions};
pub use report::{Finding, Report};

pub use verdict::Verdict;
