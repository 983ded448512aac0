//! Options for a run. No I/O here: the CLI fills these in, the pipeline reads them.

use crate::error::{Error, Result, Stage};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Resource limits that keep hostile files from exhausting the machine. Hitting one
/// is a `block` with `error.limits`, never a crash.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes. Default: 256 MiB.
    pub max_file_bytes: u64,
    /// Largest image decoded, in pixels (width × height). Default: 150 million.
    pub max_pixels: u64,
    /// Largest single allocation a decoder may make, in bytes. Default: 1 GiB. With
    /// the pixel cap this bounds memory: a photo needs about 4 × pixels bytes decoded,
    /// plus a few grey working copies for text search.
    pub max_alloc_bytes: u64,
    /// Longest a photo may take, analysis and cleaning together. Default: 120 s (a
    /// 12 MP photo takes under 10 s on one core). Checked between stages and between
    /// OCR passes, so a photo over it stops within one pass.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_pixels: 150_000_000,
            max_alloc_bytes: 1024 * 1024 * 1024,
            max_time: Duration::from_secs(120),
        }
    }
}

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
    pub consent: Option<(crate::consent::Registry, String)>,
    /// The day the one-month hold is judged on, in days since 1970-01-01; `None` is
    /// today by the clock.
    pub today: Option<i64>,
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
        }
    }
}

/// The time budget of one photo. Work that can take long (OCR passes, tilted barcode
/// searches, the redaction re-read) checks it and stops with `error.limits`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: Instant,
    limit: Duration,
}

impl Deadline {
    /// A budget of `limit` starting now.
    pub fn starting_now(limit: Duration) -> Deadline {
        Deadline { started: Instant::now(), limit }
    }

    /// No budget: for reading a photo outside a run (verifying a copy, tests, benches).
    pub fn unlimited() -> Deadline {
        Deadline { started: Instant::now(), limit: Duration::MAX }
    }

    /// Fails with `error.limits` once the budget is spent; `doing` says where.
    pub fn check(&self, doing: &str) -> Result<()> {
        if self.started.elapsed() <= self.limit {
            return Ok(());
        }
        Err(Error::new(
            Stage::Limits,
            format!(
                "took longer than the {} s limit per photo (while {doing}); raise --max-seconds to allow more",
                self.limit.as_secs_f64()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_deadline_is_a_limits_error_saying_where() {
        assert!(Deadline::starting_now(Duration::from_secs(60)).check("reading text").is_ok());
        let spent = Deadline::starting_now(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        let e = spent.check("reading text").unwrap_err();
        assert_eq!(e.stage, Stage::Limits);
        assert!(e.message.contains("while reading text"), "{}", e.message);
    }
}
