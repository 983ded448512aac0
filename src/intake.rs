//! Intake: which files to look at, and what each one really is.
//!
//! Paths are expanded (folders recursively, sorted, so runs are deterministic), sync
//! tools' junk is skipped with a note, and each file's format is decided by its magic
//! bytes, never its extension. This stage reads bytes; it never decodes pixels.

use crate::error::{Error, Result, Stage};
use serde::Serialize;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An image container medscrub understands, decided from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Tiff,
    Gif,
    Heif,
}

impl Format {
    /// Lower-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Tiff => "tiff",
            Format::Gif => "gif",
            Format::Heif => "heif",
        }
    }

    /// The file-name extensions that say this format (lower case), the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Format::Png => &["png", "apng"],
            Format::Webp => &["webp"],
            Format::Tiff => &["tif", "tiff"],
            Format::Gif => &["gif"],
            Format::Heif => &["heic", "heif", "hif", "avif"],
        }
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// An image format medscrub analyses.
    Image(Format),
    /// Something else, described for the user (e.g. "a PDF document").
    Other(String),
}

/// Decides the format from magic bytes. `head` needs at most the first 32 bytes.
pub fn sniff(head: &[u8]) -> Sniffed {
    let starts = |m: &[u8]| head.starts_with(m);
    if head.is_empty() {
        return Sniffed::Other("an empty file (0 bytes)".into());
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Image(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Image(Format::Png);
    }
    if head.len() >= 12 && starts(b"RIFF") && &head[8..12] == b"WEBP" {
        return Sniffed::Image(Format::Webp);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Sniffed::Image(Format::Tiff);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Image(Format::Gif);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        const HEIF_BRANDS: [&[u8; 4]; 8] =
            [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"];
        if HEIF_BRANDS.iter().any(|b| brand == *b) {
            return Sniffed::Image(Format::Heif);
        }
        if brand == b"avif" || brand == b"avis" {
            return Sniffed::Other("an AVIF image (not supported yet)".into());
        }
        return Sniffed::Other("a video or other ISO media file".into());
    }
    let other = if starts(b"%PDF") {
        "a PDF document"
    } else if starts(b"PK\x03\x04") {
        "a ZIP archive or office document"
    } else if starts(&[0x00, 0x05, 0x16, 0x07]) {
        "an AppleDouble resource file"
    } else if starts(b"BM") {
        "a BMP image (not supported)"
    } else if starts(b"DICM") || (head.len() > 132 && &head[128..132] == b"DICM") {
        "a DICOM file (not supported)"
    } else if head.iter().take(32).all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) {
        "a text file"
    } else {
        "not an image medscrub recognises"
    };
    Sniffed::Other(other.into())
}

/// Why a file found while walking a folder was passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why, for a person.
    pub reason: &'static str,
}

/// Why a symbolic link found in a folder is skipped.
pub const SYMLINK: &str =
    "a symbolic link: links inside a folder are not followed; give the file it points to by its own path";

/// Why a pipe, socket or device found in a folder is skipped (reading one can block forever).
pub const SPECIAL: &str = "not a regular file (a pipe, socket or device)";

/// Names that sync tools and operating systems leave beside photos. They are not
/// photos (or not finished ones), so they are skipped with a note rather than blocked.
pub fn junk_reason(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if name.starts_with("._") {
        Some("macOS AppleDouble resource file")
    } else if lower == ".ds_store" || lower == "thumbs.db" || lower == "desktop.ini" {
        Some("folder settings file")
    } else if lower.starts_with(".syncthing.") || name.starts_with(".~") || name.starts_with("~$") {
        Some("sync tool temporary file")
    } else if [".tmp", ".part", ".partial", ".crdownload", ".download"].iter().any(|ext| lower.ends_with(ext))
    {
        Some("unfinished download or sync temporary file")
    } else if lower.starts_with(".medscrub-") {
        Some("medscrub's own temporary file")
    } else {
        None
    }
}

/// One photo to analyse: where it is, and where it sits under the root it came from
/// (used to mirror folder structure in `clean --out`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Path as the user will recognise it.
    pub path: PathBuf,
    /// Path relative to the folder given on the command line (just the file name for
    /// files given directly).
    pub relative: PathBuf,
}

/// The expanded list of inputs and the files passed over.
#[derive(Debug, Default)]
pub struct Collected {
    pub inputs: Vec<Input>,
    pub skipped: Vec<Skipped>,
}

/// Expands files and folders into inputs, in a deterministic order.
///
/// Folders are walked recursively in sorted order; hidden folders (`.git`, `.thumbnails`)
/// and the folders in `exclude` (the `clean --out` folder) are not entered. A path that
/// does not exist (or cannot be looked at) stays an input, so its analysis fails closed
/// with an error naming it while the rest of the batch is checked; when no path given
/// exists, that is an error: a usage mistake, not a batch of photos.
pub fn collect(paths: &[PathBuf], exclude: &[PathBuf]) -> std::io::Result<Collected> {
    let exclude: Vec<PathBuf> = exclude.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut out = Collected::default();
    let mut unreadable = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => {
                // A typo in one path of a batch does not stop the others: it stays an
                // input, and its analysis fails closed with an error naming it. Only
                // when no path given can be read is it a usage error.
                unreadable.push(std::io::Error::new(e.kind(), format!("{}: {e}", root.display())));
                let name = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.clone());
                out.inputs.push(Input { path: root.clone(), relative: name });
                continue;
            }
        };
        if !meta.is_dir() {
            let name = root.file_name().map(PathBuf::from).unwrap_or_else(|| root.clone());
            out.inputs.push(Input { path: root.clone(), relative: name });
            continue;
        }
        let walker =
            walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().filter_entry(
                |e| {
                    if e.depth() == 0 || !e.file_type().is_dir() {
                        return true;
                    }
                    let hidden = e.file_name().to_string_lossy().starts_with('.');
                    let excluded = e.path().canonicalize().map(|c| exclude.contains(&c)).unwrap_or(false);
                    !hidden && !excluded
                },
            );
        for entry in walker {
            let entry = entry.map_err(std::io::Error::other)?;
            let kind = entry.file_type();
            if kind.is_dir() {
                continue;
            }
            if kind.is_symlink() {
                // Not followed: a link can point anywhere on the machine (another
                // patient's folder, a file nobody chose), and `clean` would copy what it
                // points to into --out. Said, so no photo goes missing without a word.
                out.skipped.push(Skipped { path: entry.path().to_path_buf(), reason: SYMLINK });
                continue;
            }
            if !kind.is_file() {
                out.skipped.push(Skipped { path: entry.path().to_path_buf(), reason: SPECIAL });
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if let Some(reason) = junk_reason(&name) {
                out.skipped.push(Skipped { path: entry.path().to_path_buf(), reason });
                continue;
            }
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path()).to_path_buf();
            out.inputs.push(Input { path: entry.path().to_path_buf(), relative });
        }
    }
    if unreadable.len() == paths.len()
        && let Some(first) = unreadable.into_iter().next()
    {
        return Err(first);
    }
    Ok(out)
}

/// Reads paths from a list (one per line, as `find` or a script would print them).
pub fn paths_from_list(text: &str) -> Vec<PathBuf> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Refuses anything that is not a regular file (a named pipe, a device, a socket),
/// from what `path` points at. Opening a FIFO for reading waits for a writer, forever if
/// none comes, and a device such as `/dev/zero` never ends: neither is a photo, so the
/// question is asked before the file is opened.
pub fn require_regular_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(path)
        .map_err(|e| Error::new(Stage::Intake, format!("cannot open: {e}")))?
        .file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    };
    Err(Error::new(
        Stage::Intake,
        format!("{what}, not a photo: medscrub reads only regular files, and does not open this one"),
    ))
}

/// Reads a whole file, refusing files larger than `max_bytes` before reading them, and
/// anything that is not a regular file before opening it.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    require_regular_file(path)?;
    let file = File::open(path).map_err(|e| Error::new(Stage::Intake, format!("cannot open: {e}")))?;
    let meta =
        file.metadata().map_err(|e| Error::new(Stage::Intake, format!("cannot read file size: {e}")))?;
    // Swapped for something else between the check and the open: refuse it all the same.
    if !meta.is_file() {
        return Err(Error::new(Stage::Intake, "not a regular file (it changed while being opened)"));
    }
    let len = meta.len();
    if len > max_bytes {
        return Err(Error::new(
            Stage::Limits,
            format!("file is {len} bytes, over the limit of {max_bytes} bytes (--max-file-mb)"),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Read one byte past the limit so a file that grows while we read is still caught.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::new(Stage::Intake, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::new(Stage::Limits, "file grew past the size limit while being read"));
    }
    Ok(bytes)
}

/// Sniffs `bytes` and returns the image format, or an intake error saying what it is.
pub fn image_format(bytes: &[u8]) -> Result<Format> {
    match sniff(&bytes[..bytes.len().min(160)]) {
        Sniffed::Image(f) => Ok(f),
        Sniffed::Other(what) => {
            Err(Error::new(Stage::Intake, format!("not a photo medscrub can analyse: {what}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_magic_not_extension() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Sniffed::Image(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Sniffed::Image(Format::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Sniffed::Image(Format::Webp));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Image(Format::Tiff));
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Sniffed::Image(Format::Tiff));
        assert_eq!(sniff(b"GIF89a\x01\0"), Sniffed::Image(Format::Gif));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Sniffed::Image(Format::Heif));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0"), Sniffed::Image(Format::Heif));
    }

    #[test]
    fn near_misses_are_not_images() {
        // RIFF but a WAV, ISO media but a video, FF D8 without the third FF.
        assert!(matches!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), Sniffed::Other(_)));
        assert!(matches!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Sniffed::Other(_)));
        assert!(matches!(sniff(b"\xFF\xD8\x00\x00"), Sniffed::Other(_)));
        assert_eq!(sniff(b""), Sniffed::Other("an empty file (0 bytes)".into()));
        assert_eq!(sniff(b"shopping list\n"), Sniffed::Other("a text file".into()));
    }

    #[test]
    fn junk_names_are_skipped_and_photos_are_not() {
        assert!(junk_reason("._IMG_0001.JPG").is_some());
        assert!(junk_reason(".syncthing.IMG_1.jpg.tmp").is_some());
        assert!(junk_reason("IMG_0001.jpg.part").is_some());
        assert!(junk_reason(".~lock.photo.jpg#").is_some());
        assert!(junk_reason(".DS_Store").is_some());
        assert!(junk_reason("IMG_0001.JPG").is_none());
        assert!(junk_reason("party.jpg").is_none());
        assert!(junk_reason("_IMG.jpg").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn links_in_folders_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jpg"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.jpg"), dir.path().join("b.jpg")).unwrap();
        std::os::unix::fs::symlink("/", dir.path().join("root")).unwrap();
        let c = collect(&[dir.path().to_path_buf()], &[]).unwrap();
        assert_eq!(c.inputs.len(), 1);
        let skipped: Vec<_> = c.skipped.iter().map(|s| (s.path.file_name().unwrap(), s.reason)).collect();
        assert_eq!(
            skipped,
            [(std::ffi::OsStr::new("b.jpg"), SYMLINK), (std::ffi::OsStr::new("root"), SYMLINK)]
        );
    }

    #[test]
    fn list_of_paths_keeps_spaces_and_unicode() {
        let list = "a b.jpg\r\n\n  \nWard – café/ü.jpg\n";
        assert_eq!(paths_from_list(list), vec![PathBuf::from("a b.jpg"), PathBuf::from("Ward – café/ü.jpg")]);
    }
}
