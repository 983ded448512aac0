//! Putting outputs in place: a staged copy under its final name in SAFE (never replacing a
//! file), blocked originals held for review, leftovers of an interrupted run removed.

use super::Watcher;
use crate::action;
use crate::report::Report;
use std::path::{Path, PathBuf};

/// Where copies are written before they get their final name, inside SAFE.
pub(super) const STAGING_NAME: &str = ".medscrub-staging";

impl Watcher<'_> {
    /// Gives a staged copy its final name in SAFE without ever replacing a file: if a
    /// file with identical bytes is there already (a copy finished just before a crash,
    /// not yet in the journal), that file is the copy; otherwise a free name is used.
    pub(super) fn publish(&self, staged: &Path) -> std::io::Result<PathBuf> {
        let relative = staged.strip_prefix(&self.staging).map_err(std::io::Error::other)?;
        let wanted = self.config.safe.join(relative);
        let dir = wanted.parent().unwrap_or(&self.config.safe).to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let staged_bytes = std::fs::read(staged)?;
        let identical = |p: &Path| std::fs::read(p).is_ok_and(|b| b == staged_bytes);
        let mut candidate = wanted.clone();
        let mut n = 1;
        let result = loop {
            if identical(&candidate) {
                break Ok(candidate);
            }
            // A hard link fails when the name exists: atomic no-clobber on one filesystem.
            match std::fs::hard_link(staged, &candidate) {
                Ok(()) => break Ok(candidate),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    n += 1;
                    candidate = numbered(&wanted, n);
                }
                // Filesystems without hard links (exFAT, some network shares): a rename
                // after a check; only another writer in SAFE at the same instant could
                // slip in between.
                Err(_) if !candidate.exists() => match std::fs::rename(staged, &candidate) {
                    Ok(()) => {
                        sync_dir(&dir)?;
                        return Ok(candidate);
                    }
                    Err(e) => break Err(e),
                },
                Err(e) => break Err(e),
            }
        };
        std::fs::remove_file(staged)?;
        sync_dir(&dir)?;
        result
    }

    /// Records that the copy was not written (an `error.*` finding, so the photo is
    /// held): what failed is the writing, not the analysis.
    pub(super) fn record_not_written(&self, report: &mut Report, message: String) {
        let e = crate::Error::new(crate::Stage::Action, message);
        report.findings.push(self.engine.profile.error_finding(&e));
        report.error = Some(format!("{}: {}", report.path, e.message));
        report.action = Some(crate::report::Action::NotWritten);
        report.settle_verdict();
    }
}

/// Removes what an interrupted run may have left: the staging folder, and medscrub's
/// own temporary files (`.medscrub-*.tmp`) in SAFE and HELD. Nothing else is touched.
pub(super) fn remove_leftovers(safe: &Path, staging: &Path, held: Option<&Path>) -> std::io::Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)?;
    }
    for root in std::iter::once(safe).chain(held) {
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_file() && name.starts_with(".medscrub-") && name.ends_with(".tmp") {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    Ok(())
}

/// Copies a blocked original to `wanted` (or `wanted-2`, …) atomically; a copy with the
/// same bytes already there is reused, so a photo handled again (after a restart, when
/// its failure was not journalled) is not held twice.
pub(super) fn hold(wanted: &Path, bytes: &[u8]) -> crate::error::Result<PathBuf> {
    let mut candidate = wanted.to_path_buf();
    let mut n = 1;
    loop {
        match std::fs::read(&candidate) {
            Ok(existing) if existing == bytes => return Ok(candidate),
            Ok(_) => {}
            Err(_) if !candidate.exists() => {
                action::write_atomic(&candidate, bytes, false)?;
                return Ok(candidate);
            }
            Err(_) => {}
        }
        n += 1;
        candidate = numbered(wanted, n);
    }
}

/// `photo.jpg` → `photo-2.jpg`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// The first of `path`, `path-2`, `path-3`… that does not exist.
pub(crate) fn free_name(path: &Path) -> PathBuf {
    let mut candidate = path.to_path_buf();
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = numbered(path, n);
    }
    candidate
}

/// Makes a rename or link inside `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holding_the_same_original_twice_keeps_one_copy() {
        let dir = tempfile::tempdir().unwrap();
        let wanted = dir.path().join("held/a.jpg");
        assert_eq!(hold(&wanted, b"one").unwrap(), wanted);
        assert_eq!(hold(&wanted, b"one").unwrap(), wanted, "same bytes: reused");
        assert_eq!(hold(&wanted, b"two").unwrap(), dir.path().join("held/a-2.jpg"));
        assert_eq!(hold(&wanted, b"two").unwrap(), dir.path().join("held/a-2.jpg"));
        assert_eq!(std::fs::read_dir(dir.path().join("held")).unwrap().count(), 2);
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered(Path::new("/s/a.jpg"), 2), PathBuf::from("/s/a-2.jpg"));
        assert_eq!(numbered(Path::new("/s/README"), 3), PathBuf::from("/s/README-3"));
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jpg");
        std::fs::write(&a, b"x").unwrap();
        assert_eq!(free_name(&a), dir.path().join("a-2.jpg"));
    }
}
