//! The journal of handled photos, by content: an append-only JSON Lines file in SAFE.

use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

/// The journal's file name inside SAFE.
pub const JOURNAL_NAME: &str = ".medscrub-journal";

/// One line of the journal: a photo handled, by content.
///
/// The journal lives in SAFE, which people share, so it holds no original file name
/// (names can identify a patient): only the hash, the verdict and where the copy went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// SHA-256 of the original file, hex.
    pub sha256: String,
    pub verdict: Verdict,
    /// The share-safe copy, relative to SAFE; none when blocked.
    pub output: Option<String>,
    /// Whether the original was copied to the blocked folder.
    pub held: bool,
    /// When it was handled, seconds since the Unix epoch.
    pub at: u64,
}

/// The photos already handled, by SHA-256: an append-only JSON Lines file, synced after
/// every entry, so a restart (or a crash) never handles a photo twice.
#[derive(Debug)]
pub struct Journal {
    file: std::fs::File,
    done: HashMap<String, JournalEntry>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, owner-readable only. Lines that do not
    /// parse — a line torn by a crash — are ignored.
    pub fn open(path: &Path) -> std::io::Result<Journal> {
        let mut done = HashMap::new();
        let mut torn_tail = false;
        if let Ok(existing) = std::fs::read(path) {
            torn_tail = !existing.is_empty() && !existing.ends_with(b"\n");
            for line in existing.lines().map_while(Result::ok) {
                if let Ok(entry) = serde_json::from_str::<JournalEntry>(&line) {
                    done.insert(entry.sha256.clone(), entry);
                }
            }
        }
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        if torn_tail {
            // End the torn line so the next entry starts on a line of its own.
            file.write_all(b"\n")?;
        }
        Ok(Journal { file, done })
    }

    /// The entry for a photo with this content, if it was handled.
    pub fn get(&self, sha256: &str) -> Option<&JournalEntry> {
        self.done.get(sha256)
    }

    /// Number of photos handled.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Appends an entry and syncs it to disk before returning.
    pub fn record(&mut self, entry: JournalEntry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        line.push('\n');
        // One write call per line: a crash tears at most the last line.
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        self.done.insert(entry.sha256.clone(), entry);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_survives_reopening_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_NAME);
        let entry = |sha: &str| JournalEntry {
            sha256: sha.into(),
            verdict: Verdict::Strip,
            output: Some("a.jpg".into()),
            held: false,
            at: 1,
        };
        let mut j = Journal::open(&path).unwrap();
        assert!(j.is_empty());
        j.record(entry("aa")).unwrap();
        drop(j);
        // A crash in the middle of the second line.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"sha256\":\"bb\",\"verd").unwrap();
        drop(f);
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.len(), 1);
        assert!(j.get("aa").is_some() && j.get("bb").is_none());
        j.record(entry("cc")).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert!(j.get("aa").is_some() && j.get("cc").is_some(), "entry after the torn line is kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
