//! The four answers medscrub gives about a photo, ordered by severity.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a photo (or one finding) requires before it may leave.
///
/// The order is the severity order: the verdict of a photo is the maximum remedy
/// among its findings, so `Ord` is part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing identifying was found: the file may be shared as it is.
    Share,
    /// Only metadata identifies: a lossless copy without it may be shared.
    Strip,
    /// Visible identifying text can be covered: a redacted, stripped copy may be shared.
    Redact,
    /// Must not leave (or could not be fully analysed).
    Block,
}

impl Verdict {
    /// Lower-case name as used in JSON, profiles and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Share => "share",
            Verdict::Strip => "strip",
            Verdict::Redact => "redact",
            Verdict::Block => "block",
        }
    }

    /// Parses the lower-case name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "share" => Some(Verdict::Share),
            "strip" => Some(Verdict::Strip),
            "redact" => Some(Verdict::Redact),
            "block" => Some(Verdict::Block),
            _ => None,
        }
    }
}

/// The lower-case name (`"strip".parse::<Verdict>()`); the error says what was given.
impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Verdict, String> {
        Verdict::parse(s).ok_or_else(|| format!("unknown verdict {s:?}: share, strip, redact or block"))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_is_share_strip_redact_block() {
        assert!(Verdict::Share < Verdict::Strip);
        assert!(Verdict::Strip < Verdict::Redact);
        assert!(Verdict::Redact < Verdict::Block);
        let worst = [Verdict::Strip, Verdict::Block, Verdict::Share].into_iter().max();
        assert_eq!(worst, Some(Verdict::Block));
    }

    #[test]
    fn names_round_trip() {
        for v in [Verdict::Share, Verdict::Strip, Verdict::Redact, Verdict::Block] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("Share"), None);
        assert_eq!("redact".parse::<Verdict>(), Ok(Verdict::Redact));
        assert!("Share".parse::<Verdict>().unwrap_err().contains("unknown verdict"));
    }
}
