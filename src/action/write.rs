//! Write: a temp file in the destination folder, synced, then renamed into place, so a
//! crash or a full disk never leaves a partial file under the final name.

use crate::error::{Error, Result, Stage};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `dest` atomically. Refuses to replace an existing file unless
/// `force` is set.
pub fn write_atomic(dest: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let io =
        |what: &str, e: std::io::Error| Error::new(Stage::Action, format!("{what} {}: {e}", dest.display()));
    let dir = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create the folder for", e))?;
    if !force && dest.exists() {
        return Err(Error::new(
            Stage::Action,
            format!("{} already exists; not overwritten (use --force to replace it)", dest.display()),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".medscrub-")
        .suffix(".tmp")
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_then_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/a.jpg");
        write_atomic(&dest, b"one", false).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"one");
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
