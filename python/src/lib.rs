//! The native half of medscrub's Python package: `scan` and `clean` over the library's
//! [`Engine`], with the report handed back as the same JSON object the CLI prints
//! (`medscrub scan --format json`), decoded into a dict.
//!
//! Each call analyses one photo on the calling thread with the GIL released, so a
//! Python thread pool, a Ray actor or a Spark task runs photos side by side. Nothing
//! here judges a photo: options in, report out; the policy wording, the fail-closed
//! verdicts and the copy's checks are the library's.

use medscrub::intake::Input;
use medscrub::pipeline::{Analysis, Engine};
use medscrub::policy::consent::Registry;
use medscrub::{AnalysisOptions, Report, policy};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use std::path::PathBuf;

/// The photo a call is about: a file to read, or bytes already in memory (an upload, an
/// object fetched from storage) with the name that stands for it in the report.
enum Photo {
    File(PathBuf),
    Bytes { name: String, bytes: Vec<u8> },
}

impl Photo {
    fn from_python(photo: &Bound<'_, PyAny>, name: Option<String>) -> PyResult<Photo> {
        let bytes = if let Ok(b) = photo.cast::<PyBytes>() {
            Some(b.as_bytes().to_vec())
        } else if let Ok(b) = photo.cast::<PyByteArray>() {
            Some(b.to_vec())
        } else {
            None
        };
        if let Some(bytes) = bytes {
            // The name is evidence (file names are read by the text rules) and the
            // report's `path`; without one, a neutral name that says nothing.
            return Ok(Photo::Bytes { name: name.unwrap_or_else(|| "upload".into()), bytes });
        }
        if photo.cast::<PyString>().is_ok() || photo.hasattr("__fspath__")? {
            if name.is_some() {
                return Err(PyValueError::new_err(
                    "name= is for photos given as bytes; a file is named by its path",
                ));
            }
            return Ok(Photo::File(photo.extract()?));
        }
        Err(PyTypeError::new_err(format!(
            "photo must be a path (str or os.PathLike) or the file's bytes (bytes or bytearray), not {}",
            photo.get_type().name()?
        )))
    }
}

/// How a call is to be judged: the keyword arguments of `scan` and `clean`.
struct Settings {
    policy: String,
    caption: Option<String>,
    handle: Option<String>,
    consent: Option<(PathBuf, String)>,
    ignore: Vec<String>,
    show_text: bool,
}

impl Settings {
    /// The library's options for these settings, or the mistake in them as a
    /// `ValueError` (an unknown policy or rule, an unreadable consent registry).
    fn options(&self) -> PyResult<(&'static policy::Profile, AnalysisOptions)> {
        let mistake = |e: medscrub::ConfigError| PyValueError::new_err(e.to_string());
        let profile = policy::named(&self.policy).map_err(mistake)?;
        let mut options = AnalysisOptions {
            policy: self.policy.clone(),
            show_text: self.show_text,
            ..AnalysisOptions::default()
        };
        options.post.caption = self.caption.clone();
        options.post.handle = self.handle.clone();
        if let Some((file, platform)) = &self.consent {
            let registry = Registry::load(file).map_err(mistake)?;
            options.consent = Some((registry, platform.clone()));
        }
        for rule in &self.ignore {
            options.switches.ignore(rule, "", "the Python call (ignore=)").map_err(mistake)?;
        }
        Ok((profile, options))
    }
}

/// Runs `work` on an engine set up by `settings`, with the GIL released: the analysis
/// is all Rust, and other Python threads run meanwhile.
fn with_engine<T: Send>(
    py: Python<'_>,
    settings: Settings,
    work: impl FnOnce(&Engine<'_>) -> T + Send,
) -> PyResult<T> {
    py.detach(|| {
        let (profile, options) = settings.options()?;
        Ok(work(&Engine { options: &options, profile }))
    })
}

fn analyse(engine: &Engine<'_>, photo: Photo) -> Analysis {
    match photo {
        Photo::File(path) => {
            let relative = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
            engine.analyse(&Input { path, relative })
        }
        Photo::Bytes { name, bytes } => engine.analyse_owned(&name, bytes),
    }
}

/// The report as a dict: the CLI's JSON object, through Python's own `json`.
fn report_dict<'py>(py: Python<'py>, report: &Report) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_string(report).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (json,))
}

#[allow(clippy::too_many_arguments)]
fn settings(
    policy: String,
    caption: Option<String>,
    handle: Option<String>,
    consent: Option<PathBuf>,
    platform: Option<String>,
    ignore: Option<Vec<String>>,
    show_text: bool,
) -> PyResult<Settings> {
    let consent = match (consent, platform) {
        (Some(file), Some(platform)) => Some((file, platform)),
        (None, None) => None,
        _ => return Err(PyValueError::new_err("consent= (the registry file) and platform= go together")),
    };
    Ok(Settings { policy, caption, handle, consent, ignore: ignore.unwrap_or_default(), show_text })
}

/// Checks one photo and returns its report (a dict: `verdict`, `findings`, `notes`,
/// `error`, ...; the same object `medscrub scan --format json` prints).
///
/// A photo that cannot be read or fully analysed comes back `block` with `error` set,
/// as on the command line; mistakes in the arguments raise `ValueError`/`TypeError`.
#[pyfunction]
#[pyo3(signature = (photo, *, name=None, policy="strictest".to_string(), caption=None, handle=None,
                    consent=None, platform=None, ignore=None, show_text=false))]
#[allow(clippy::too_many_arguments)]
fn scan<'py>(
    py: Python<'py>,
    photo: &Bound<'py, PyAny>,
    name: Option<String>,
    policy: String,
    caption: Option<String>,
    handle: Option<String>,
    consent: Option<PathBuf>,
    platform: Option<String>,
    ignore: Option<Vec<String>>,
    show_text: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let photo = Photo::from_python(photo, name)?;
    let settings = settings(policy, caption, handle, consent, platform, ignore, show_text)?;
    let report = with_engine(py, settings, |engine| analyse(engine, photo).report)?;
    report_dict(py, &report)
}

/// Checks one photo and makes its share-safe copy in memory: returns `(copy, report)`,
/// where `copy` is the copy's bytes, or `None` when the photo must not leave (`block`)
/// or no copy could be made (the report's `error` says why). `report["output"]` is the
/// neutral file name the CLI would give the copy. Nothing is written to disk, and the
/// original is never touched.
#[pyfunction]
#[pyo3(signature = (photo, *, name=None, policy="strictest".to_string(), caption=None, handle=None,
                    consent=None, platform=None, ignore=None, show_text=false))]
#[allow(clippy::too_many_arguments)]
fn clean<'py>(
    py: Python<'py>,
    photo: &Bound<'py, PyAny>,
    name: Option<String>,
    policy: String,
    caption: Option<String>,
    handle: Option<String>,
    consent: Option<PathBuf>,
    platform: Option<String>,
    ignore: Option<Vec<String>>,
    show_text: bool,
) -> PyResult<(Option<Bound<'py, PyBytes>>, Bound<'py, PyAny>)> {
    let photo = Photo::from_python(photo, name)?;
    let settings = settings(policy, caption, handle, consent, platform, ignore, show_text)?;
    let (report, copy) = with_engine(py, settings, |engine| engine.clean_in_memory(analyse(engine, photo)))?;
    let copy = copy.map(|c| PyBytes::new(py, &c.bytes));
    Ok((copy, report_dict(py, &report)?))
}

/// The policy profiles, as `(id, name)` pairs (`medscrub policies`).
#[pyfunction]
fn policies() -> Vec<(String, String)> {
    policy::profiles().iter().map(|p| (p.id.clone(), p.name.clone())).collect()
}

/// The folder the text models are loaded from (`MEDSCRUB_MODELS`, else the source tree
/// the package was built from).
#[pyfunction]
fn models_dir() -> PathBuf {
    medscrub::models::dir()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(policies, m)?)?;
    m.add_function(wrap_pyfunction!(models_dir, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
