//! Reports: what medscrub found in one photo, why it matters, and what it did.
//!
//! [`Report`] is serialised as one JSON object per photo (JSON Lines); the field list
//! is documented in the README and is versioned by [`SCHEMA_VERSION`]. `text` renders
//! the same data for a person. Text from images and metadata is masked unless the user
//! asks otherwise ([`mask`]) and sanitised before it reaches a terminal ([`sanitize`]).

pub mod html;
pub mod mask;
pub mod sanitize;
pub mod text;

use crate::geometry::Rect;
use crate::metadata::CaptureTime;
use crate::verdict::Verdict;
use serde::Serialize;

/// Bumped whenever a field changes meaning or disappears (adding a field does not).
pub const SCHEMA_VERSION: u32 = 1;

/// Where a finding's evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Metadata,
    Ocr,
    Barcode,
    Scene,
    Caption,
    Time,
    /// The analysis itself failed (fail closed).
    Error,
}

impl Source {
    /// The name the JSON report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Metadata => "metadata",
            Source::Ocr => "ocr",
            Source::Barcode => "barcode",
            Source::Scene => "scene",
            Source::Caption => "caption",
            Source::Time => "time",
            Source::Error => "error",
        }
    }
}

/// A policy clause that makes a finding a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Profile id of the institution (`umn`, `michigan-medicine`, …).
    pub policy: String,
    /// The policy text it comes from (a file in the project's seeds).
    pub source: String,
    /// Where in that text.
    pub clause: String,
    /// What the clause says, in our words.
    pub paraphrase: String,
}

/// One thing found in a photo, with the remedy the policy gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable rule id (`meta.gps`, `error.decode`, …).
    pub rule: String,
    pub source: Source,
    /// What this finding alone requires.
    pub remedy: Verdict,
    /// One line for a person, identifiers masked.
    pub summary: String,
    /// Further facts (field names, sizes), identifiers masked.
    pub details: Vec<String>,
    /// Where in the image, for visible findings.
    pub bbox: Option<Rect>,
    /// How sure the detector is (1.0 for facts read from metadata).
    pub confidence: f32,
    /// The clauses that make it a problem under the chosen profile.
    pub citations: Vec<Citation>,
    /// The identifier found, in comparable form (`rules::identifier_key`): the text
    /// report shows one number found by several sources on one line. Not in the JSON,
    /// where each finding stays one region to cover.
    #[serde(skip)]
    pub identifier: Option<String>,
}

impl Action {
    /// How the copy was made, in words, for text and HTML reports.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Copied => "copied unchanged",
            Action::Stripped => "metadata stripped, pixels untouched",
            Action::Reencoded => "rewritten without metadata",
            Action::Redacted => "identifiers covered, rewritten without metadata",
            Action::NotWritten => "not written",
        }
    }
}

/// What `clean` did with a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Shareable as it was: copied byte for byte.
    Copied,
    /// Metadata removed by editing the container; pixels untouched.
    Stripped,
    /// Pixels rewritten in a new file (HEIC → JPEG, TIFF, GIF): metadata gone, pixels
    /// identical or re-encoded at high quality, as `notes` says.
    Reencoded,
    /// Identifying regions covered with solid boxes and the pixels written fresh.
    Redacted,
    /// Not written: blocked, or failed.
    NotWritten,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    pub read_ms: f64,
    pub metadata_ms: f64,
    pub decode_ms: f64,
    pub scene_ms: f64,
    pub text_ms: f64,
    pub rules_ms: f64,
    pub action_ms: f64,
}

/// Everything medscrub says about one photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// The input path, for display: a name that is not valid UTF-8 shows `�` for each
    /// byte it cannot decode, and then `path_bytes` holds the exact name.
    pub path: String,
    /// The input path's exact bytes, base64 (standard alphabet, padded), present only
    /// when the path is not valid UTF-8 — the one case where `path` cannot name the file.
    /// On Unix these are the bytes the file system holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// `path` as the text and HTML reports show it: the file name masked (`mask`) when it
    /// holds an identifier, as the findings that quote it are, unless `--show-text`.
    /// Not in the JSON: scripts need `path` to find the file, and it is their own name.
    #[serde(skip)]
    pub shown_path: Option<String>,
    /// Format by magic bytes (`jpeg`, `png`, `webp`, `tiff`, `gif`, `heif`); null when
    /// the file is not an image.
    pub format: Option<&'static str>,
    /// SHA-256 of the input file, hex.
    pub sha256: Option<String>,
    /// File size in bytes.
    pub bytes: Option<u64>,
    /// Displayed size (orientation applied).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The worst remedy among the findings.
    pub verdict: Verdict,
    /// Profile the findings were judged by.
    pub policy: String,
    pub findings: Vec<Finding>,
    /// When the photo was taken, read before anything is stripped.
    pub capture_time: Option<CaptureTime>,
    /// For `clean`: the share-safe copy written, if any (for display, as `path`).
    pub output: Option<String>,
    /// The copy's path's exact bytes, base64, present only when it is not valid UTF-8
    /// (an `--out` folder with such a name; the names medscrub writes are UTF-8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_bytes: Option<String>,
    /// For `clean`: what was done.
    pub action: Option<Action>,
    /// Things a person should know that are not findings (e.g. "HEIC written as JPEG").
    pub notes: Vec<String>,
    /// Why the photo could not be analysed or written, naming the file; null otherwise.
    pub error: Option<String>,
    /// The patient consent applied to this photo (`--consent`), and what it lifted.
    pub consent: Option<ConsentApplied>,
    /// Rules switched off for this run (`--ignore`, `medscrub.toml`) that dropped a
    /// finding of this photo: what a reviewer must know was not counted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub switched_off: Vec<SwitchedOff>,
    pub timings: Timings,
}

/// A switch of the run that dropped findings of this photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwitchedOff {
    pub rule: String,
    /// `ignored`, or `min confidence 0.7`.
    pub setting: String,
    /// Why, as the person who set it wrote it.
    pub reason: String,
    /// `--ignore`, or the config file's path.
    pub set_in: String,
    /// How many findings it dropped.
    pub dropped: usize,
}

/// What the report records when a patient's consent was applied (`--consent`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentApplied {
    pub id: String,
    pub platform: String,
    pub signed: String,
    pub expires: String,
    /// The rules whose findings the consent lifted from this photo.
    pub lifted: Vec<String>,
}

impl Report {
    /// A report with nothing found yet.
    pub fn new(path: String, policy: &str) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            path,
            path_bytes: None,
            output_bytes: None,
            shown_path: None,
            format: None,
            sha256: None,
            bytes: None,
            width: None,
            height: None,
            verdict: Verdict::Share,
            policy: policy.to_string(),
            findings: Vec::new(),
            capture_time: None,
            output: None,
            action: None,
            notes: Vec::new(),
            error: None,
            consent: None,
            switched_off: Vec::new(),
            timings: Timings::default(),
        }
    }

    /// A report for the photo at `path`: `path` for display, and `path_bytes` when the
    /// name is not UTF-8.
    pub fn for_path(path: &std::path::Path, policy: &str) -> Report {
        let mut report = Report::new(path.display().to_string(), policy);
        if path.to_str().is_none() {
            use base64::Engine as _;
            report.path_bytes = Some(base64::engine::general_purpose::STANDARD.encode(os_bytes(path)));
        }
        report
    }

    /// Records the copy written at `path`: `output` for display, and `output_bytes`
    /// when the path is not UTF-8.
    pub fn set_output(&mut self, path: &std::path::Path) {
        use base64::Engine as _;
        self.output = Some(path.display().to_string());
        self.output_bytes =
            path.to_str().is_none().then(|| base64::engine::general_purpose::STANDARD.encode(os_bytes(path)));
    }

    /// The path as reports show it to a person ([`Report::shown_path`]).
    pub fn display_path(&self) -> &str {
        self.shown_path.as_deref().unwrap_or(&self.path)
    }

    /// Recomputes the verdict from the findings: the most severe remedy wins.
    pub fn settle_verdict(&mut self) {
        self.verdict = self.findings.iter().map(|f| f.remedy).max().unwrap_or(Verdict::Share);
    }
}

/// A path's bytes: exact on Unix; elsewhere the platform's own encoding of it
/// (WTF-8 on Windows), which round-trips through `OsStr::from_encoded_bytes_unchecked`.
fn os_bytes(path: &std::path::Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        path.as_os_str().as_encoded_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_is_not_utf8_keeps_its_bytes() {
        let plain = Report::for_path(std::path::Path::new("ward/IMG 1.jpg"), "strictest");
        assert_eq!((plain.path.as_str(), plain.path_bytes.as_deref()), ("ward/IMG 1.jpg", None));
        assert!(!serde_json::to_string(&plain).unwrap().contains("path_bytes"));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = std::path::Path::new(std::ffi::OsStr::from_bytes(b"a\xE9.jpg"));
            let r = Report::for_path(odd, "strictest");
            assert_eq!(r.path, "a\u{FFFD}.jpg");
            assert_eq!(r.path_bytes.as_deref(), Some("YekuanBn"));
            // The same for the copy's path (an --out folder named so).
            let mut r = Report::for_path(std::path::Path::new("b.jpg"), "strictest");
            r.set_output(odd);
            assert_eq!(
                (r.output.as_deref(), r.output_bytes.as_deref()),
                (Some("a\u{FFFD}.jpg"), Some("YekuanBn"))
            );
            r.set_output(std::path::Path::new("safe/b.jpg"));
            assert_eq!(r.output_bytes, None);
            assert!(!serde_json::to_string(&r).unwrap().contains("output_bytes"));
        }
    }
}
