//! Write: a temp file in the destination folder, synced, then renamed into place, so a
//! crash or a full disk never leaves a partial file under the final name.

use crate::error::{Error, Result, Stage};
use std::io::Write;
use std::path::Path;

/// Names of our temporary files: hidden, and never the name of a finished copy.
pub const TEMP_PREFIX: &str = ".medscrub-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// A name for an output file or folder made from an input's name. Characters that
/// make a name show other than it reads are dropped (`report::sanitize::is_deceptive`:
/// controls, bidi marks, overrides and isolates, zero-width and tag characters — a
/// U+202E shows `gpj.exe` as `exe.jpg` in the upload form), and bytes that are not
/// UTF-8 become `�`, so the copy's name is plain text that upload forms, sync tools
/// and the JSON report carry exactly. Spaces at either end go too. `None` when
/// nothing usable is left: the caller picks a neutral name.
pub fn safe_name(name: &std::ffi::OsStr) -> Option<String> {
    let kept: String =
        name.to_string_lossy().chars().filter(|c| !crate::report::sanitize::is_deceptive(*c)).collect();
    let kept = kept.trim();
    (!kept.is_empty() && kept != "." && kept != "..").then(|| kept.to_string())
}

/// What `write_atomic` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file is new (or replaced one, with `force`).
    Fresh,
    /// A file with exactly these bytes was already there (a rerun after an
    /// interruption): left as it is, not an error.
    AlreadyThere,
}

/// Writes `bytes` to `dest` atomically. Refuses to replace an existing file unless
/// `force` is set, except that an identical file is simply kept.
pub fn write_atomic(dest: &Path, bytes: &[u8], force: bool) -> Result<Written> {
    let io =
        |what: &str, e: std::io::Error| Error::new(Stage::Action, format!("{what} {}: {e}", dest.display()));
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create the folder for", e))?;
    // symlink_metadata: a link at the destination is "something there", never followed.
    if let Ok(existing) = std::fs::symlink_metadata(dest) {
        if existing.is_file()
            && existing.len() == bytes.len() as u64
            && std::fs::read(dest).is_ok_and(|b| b == bytes)
        {
            return Ok(Written::AlreadyThere);
        }
        if !force {
            return Err(Error::new(
                Stage::Action,
                format!("{} already exists; not overwritten (use --force to replace it)", dest.display()),
            ));
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| io("cannot create a temporary file beside", e))?;
    tmp.write_all(bytes).map_err(|e| io("cannot write", e))?;
    tmp.as_file().sync_all().map_err(|e| io("cannot flush", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Temp files are created 0600; a share-safe copy is meant to be read by the
        // upload app, so give it ordinary file permissions.
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    let persisted = if force { tmp.persist(dest) } else { tmp.persist_noclobber(dest) };
    persisted.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::new(
                Stage::Action,
                format!("{} already exists; not overwritten (use --force)", dest.display()),
            )
        } else {
            io("cannot move the finished file into place at", e.error)
        }
    })?;
    Ok(Written::Fresh)
}

/// Removes our temporary files older than `age` under `dir`: what a crash or a
/// `kill -9` in the middle of a write left behind. Younger ones may belong to a run
/// that is still going. Returns how many were removed.
pub fn sweep_stale_temps(dir: &Path, age: std::time::Duration) -> usize {
    let now = std::time::SystemTime::now();
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
        })
        .filter(|e| {
            e.metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|d| d >= age)
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_then_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/a.jpg");
        assert_eq!(write_atomic(&dest, b"one", false).unwrap(), Written::Fresh);
        assert_eq!(std::fs::read(&dest).unwrap(), b"one");
        // A rerun that would write the same bytes is not an error.
        assert_eq!(write_atomic(&dest, b"one", false).unwrap(), Written::AlreadyThere);
        let err = write_atomic(&dest, b"two", false).unwrap_err();
        assert!(err.message.contains("already exists"));
        write_atomic(&dest, b"two", true).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(dest.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn a_read_only_folder_is_a_clear_error_with_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        // A path under a regular file cannot be created.
        let err = write_atomic(&blocker.join("a.jpg"), b"data", false).unwrap_err();
        assert!(err.message.contains("a.jpg"), "{}", err.message);
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn output_names_lose_what_could_disguise_them() {
        assert_eq!(safe_name(OsStr::new("IMG_1.jpg")).as_deref(), Some("IMG_1.jpg"));
        assert_eq!(safe_name(OsStr::new("photo\u{202E}gpj.exe")).as_deref(), Some("photogpj.exe"));
        assert_eq!(safe_name(OsStr::new("a\u{7}b\nc\u{200B}.png")).as_deref(), Some("abc.png"));
        assert_eq!(safe_name(OsStr::new("\u{2067}Ward 4\u{2069}")).as_deref(), Some("Ward 4"));
        assert_eq!(safe_name(OsStr::new("café – Ünïcode.jpg")).as_deref(), Some("café – Ünïcode.jpg"));
        assert_eq!(safe_name(OsStr::new("\u{202E}\u{0}")), None);
        assert_eq!(safe_name(OsStr::new(" . ")), None);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            assert_eq!(safe_name(OsStr::from_bytes(b"ab\xFF.jpg")).as_deref(), Some("ab\u{FFFD}.jpg"));
        }
    }
}

#[cfg(test)]
mod sweep_tests {
    use super::*;

    #[test]
    fn stale_temps_are_swept_and_finished_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let temp = dir.path().join("sub/.medscrub-abc.tmp");
        std::fs::write(&temp, b"partial").unwrap();
        std::fs::write(dir.path().join("sub/photo.jpg"), b"done").unwrap();
        std::fs::write(dir.path().join("other.tmp"), b"not ours").unwrap();
        assert_eq!(sweep_stale_temps(dir.path(), std::time::Duration::from_secs(3600)), 0, "too young");
        assert_eq!(sweep_stale_temps(dir.path(), std::time::Duration::ZERO), 1);
        assert!(!temp.exists());
        assert!(dir.path().join("sub/photo.jpg").exists() && dir.path().join("other.tmp").exists());
    }
}
