//! Exit codes: scripts and upload hooks depend on them, so they are stable.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every photo may be shared as it is (`clean`: every input was written share-safe) |
//! | 1 | some photos need `medscrub clean` (strip or redact) |
//! | 2 | usage or I/O error before any photo was scanned |
//! | 3 | some photos are blocked or could not be analysed |

use crate::verdict::Verdict;

/// The process exit status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: all shareable (scan) or all written share-safe (clean).
    Ok,
    /// 1: some photos need cleaning.
    NeedsClean,
    /// 2: usage or I/O error before scanning.
    Usage,
    /// 3: some photos are blocked or failed.
    Blocked,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::NeedsClean => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Blocked => 3,
        }
    }

    /// Exit status of `scan`/`check` given the verdicts of all photos.
    pub fn for_scan(verdicts: impl IntoIterator<Item = Verdict>) -> ExitStatus {
        match verdicts.into_iter().max() {
            None | Some(Verdict::Share) => ExitStatus::Ok,
            Some(Verdict::Strip | Verdict::Redact) => ExitStatus::NeedsClean,
            Some(Verdict::Block) => ExitStatus::Blocked,
        }
    }

    /// Exit status of `clean`: 0 when every input was written share-safe, 3 otherwise.
    pub fn for_clean(all_written: bool) -> ExitStatus {
        if all_written { ExitStatus::Ok } else { ExitStatus::Blocked }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_exit_is_the_worst_verdict() {
        assert_eq!(ExitStatus::for_scan([]), ExitStatus::Ok);
        assert_eq!(ExitStatus::for_scan([Verdict::Share]), ExitStatus::Ok);
        assert_eq!(ExitStatus::for_scan([Verdict::Share, Verdict::Strip]).code(), 1);
        assert_eq!(ExitStatus::for_scan([Verdict::Redact]).code(), 1);
        assert_eq!(ExitStatus::for_scan([Verdict::Strip, Verdict::Block]).code(), 3);
    }

    #[test]
    fn clean_exit_is_zero_only_when_all_written() {
        assert_eq!(ExitStatus::for_clean(true).code(), 0);
        assert_eq!(ExitStatus::for_clean(false).code(), 3);
        assert_eq!(ExitStatus::Usage.code(), 2);
    }
}
