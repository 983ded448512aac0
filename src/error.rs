//! Errors, grouped by the pipeline stage that raised them.
//!
//! A stage error never aborts a run: the pipeline turns it into a `block` verdict with
//! the rule `error.<stage>` and the message, for that photo only (fail closed).

use std::fmt;

/// The stage that failed; it names the `error.<stage>` rule in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the file, or it is not a format medscrub can analyse.
    Intake,
    /// A resource limit (file size, pixel count, allocation) was hit.
    Limits,
    /// The pixels could not be decoded (truncated, corrupt).
    Decode,
    /// The container or its metadata could not be parsed.
    Metadata,
    /// Text could not be read (OCR engine missing or failing).
    Text,
    /// Writing or verifying the share-safe copy failed.
    Action,
    /// A bug in medscrub (a panic), caught for this photo only.
    Internal,
    /// A consent registry entry names the photo but does not hold (expired, another
    /// platform): not a pass.
    Consent,
}

impl Stage {
    /// The rule id for a failure in this stage, e.g. `error.decode`.
    pub fn rule_id(self) -> &'static str {
        match self {
            Stage::Intake => "error.intake",
            Stage::Limits => "error.limits",
            Stage::Decode => "error.decode",
            Stage::Metadata => "error.metadata",
            Stage::Text => "error.text",
            Stage::Action => "error.action",
            Stage::Internal => "error.internal",
            Stage::Consent => "error.consent",
        }
    }
}

/// A failure while analysing or cleaning one photo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// Which stage failed.
    pub stage: Stage,
    /// A message for a person: what went wrong, in plain words.
    pub message: String,
}

impl Error {
    /// A new error for `stage`.
    pub fn new(stage: Stage, message: impl Into<String>) -> Error {
        Error { stage, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage.rule_id(), self.message)
    }
}

/// Shorthand for results inside the pipeline.
pub type Result<T> = std::result::Result<T, Error>;
