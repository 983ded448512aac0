//! Options for a run. No I/O here: the CLI fills these in, the pipeline reads them.

use std::path::PathBuf;

/// Resource limits that keep hostile files from exhausting the machine. Hitting one
/// is a `block` with `error.limits`, never a crash.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes. Default: 256 MiB.
    pub max_file_bytes: u64,
    /// Largest image decoded, in pixels (width × height). Default: 150 million.
    pub max_pixels: u64,
    /// Largest single allocation a decoder may make, in bytes. Default: 1 GiB.
    pub max_alloc_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_pixels: 150_000_000,
            max_alloc_bytes: 1024 * 1024 * 1024,
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
        }
    }
}
