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

/// A mistake in configuration — a `medscrub.toml`, a consent registry, a policy
/// profile, an institution's mark, a command-line switch — found before any photo is
/// analysed. Each variant says what was wrong; [`ConfigError::Within`] says where (a
/// file, a consent entry, an institution), and the message reads "where: what".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// `error`, in `place` (a file name, `consent C-1`, an institution).
    #[error("{place}: {error}")]
    Within { place: String, error: Box<ConfigError> },
    /// A file that could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    Unreadable { path: std::path::PathBuf, reason: String },
    /// TOML that does not parse, or holds a field that does not exist or lacks one
    /// that must.
    #[error("{0}")]
    BadToml(String),
    /// A rule id that no rule has (a switch, a setting).
    #[error("no rule {0:?} (`medscrub policies` lists them)")]
    NoSuchRule(String),
    /// An `error.*` rule asked to be switched off.
    #[error("{0} cannot be switched off: a photo that could not be fully analysed is never shared")]
    ErrorRuleOff(String),
    /// A `min_confidence` outside 0–1.
    #[error("min_confidence for {rule} is {least}; give a number from 0 to 1")]
    ConfidenceOutOfRange { rule: String, least: f32 },
    /// A profile names a rule id that no rule has.
    #[error("unknown rule id {0:?}")]
    UnknownRuleId(String),
    /// A profile gives a rule a remedy that is not a verdict or `off`.
    #[error("{rule}: unknown remedy {remedy:?}")]
    UnknownRemedy { rule: String, remedy: String },
    /// A profile's rule cites a clause the profile does not have.
    #[error("{rule} cites unknown clause {clause:?}")]
    UnknownClause { rule: String, clause: String },
    /// A profile gives a rule a remedy without citing a clause for it.
    #[error("{0} has a remedy but cites nothing")]
    Uncited(String),
    /// An institution's mark with no words.
    #[error("an empty mark")]
    EmptyMark,
    /// An institution's mark that does not make a pattern.
    #[error("mark {text:?}: {reason}")]
    BadMark { text: String, reason: String },
    /// A consent registry in CSV with nothing in it.
    #[error("empty file")]
    EmptyFile,
    /// A CSV line with more or fewer fields than the header.
    #[error("line {line}: {fields} fields, the header has {header}")]
    FieldCount { line: usize, fields: usize, header: usize },
    /// A CSV line without a value that must be there.
    #[error("line {line}: no {column}")]
    MissingField { line: usize, column: String },
    /// A consent date that is not a date.
    #[error("{what} {value:?} is not a date like 2026-11-01")]
    NotADate { what: &'static str, value: String },
    /// A consent that expires before it was signed.
    #[error("expires before it was signed")]
    ExpiresBeforeSigned,
    /// A consent that names no photo.
    #[error("names no photo (give sha256 or path)")]
    NamesNoPhoto,
    /// A consent's SHA-256 that is not one.
    #[error("sha256 {0:?} is not 64 hex digits")]
    BadSha256(String),
    /// A consent's path pattern that is not a glob.
    #[error("bad path pattern: {0}")]
    BadPathPattern(String),
    /// A consent that names no platform.
    #[error("names no platform")]
    NamesNoPlatform,
    /// A policy id that no profile has, with the ids there are.
    #[error("unknown policy {id:?}; choose one of: {}", known.join(", "))]
    UnknownPolicy { id: String, known: Vec<String> },
    /// A consent that would lift a rule consent cannot lift.
    #[error("{rule} cannot be lifted by consent (only {liftable})")]
    NotLiftable { rule: String, liftable: String },
}

impl ConfigError {
    /// This mistake, said to be in `place` (a file, an entry, an institution).
    pub fn within(self, place: impl Into<String>) -> ConfigError {
        ConfigError::Within { place: place.into(), error: Box::new(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_errors_say_where_then_what() {
        let e = ConfigError::NotADate { what: "signed", value: "soon".into() }
            .within("consent C-6")
            .within("consent registry c.toml");
        assert_eq!(
            e.to_string(),
            "consent registry c.toml: consent C-6: signed \"soon\" is not a date like 2026-11-01"
        );
        let e = ConfigError::Unreadable { path: "m.toml".into(), reason: "gone".into() };
        assert_eq!(e.to_string(), "cannot read m.toml: gone");
        let e = ConfigError::FieldCount { line: 2, fields: 5, header: 7 };
        assert_eq!(e.to_string(), "line 2: 5 fields, the header has 7");
    }
}
