//! Where share-safe copies go: the input's relative path under `--out`, names made
//! plain, identifying folders renamed, colliding names told apart.

use super::hex;
use crate::action;
use crate::intake::Input;
use crate::metadata::MetaFacts;
use crate::recognize::{self, TextEvidence};
use crate::rules;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where `clean` puts each copy: `destination` for every input, with names that would
/// collide on a case-insensitive or normalising file system (macOS, Windows, most SD
/// cards: `IMG_1.JPG` and `img_1.jpg`, `é` composed and decomposed) told apart by a
/// ` (2)`, ` (3)` suffix, so no copy replaces another wherever the folder is synced.
/// Names are told apart without their extension: a copy's extension can change
/// (`IMG_1.HEIC` is written as `IMG_1.jpg`, a redacted TIFF as `.png` or `.jpg`), and
/// phones export `IMG_1.HEIC` beside `IMG_1.JPG`.
pub fn destinations(out: &Path, inputs: &[Input]) -> Vec<PathBuf> {
    use unicode_normalization::UnicodeNormalization;
    let key = |p: &Path| p.with_extension("").to_string_lossy().nfc().collect::<String>().to_lowercase();
    let mut taken = std::collections::HashSet::new();
    let mut by_path = std::collections::HashMap::new();
    inputs
        .iter()
        .map(|input| {
            // The same file named twice goes to the same place.
            if let Some(dest) = by_path.get(&input.path) {
                return PathBuf::clone(dest);
            }
            let first = destination(out, input);
            let mut dest = first.clone();
            let mut n = 1;
            while !taken.insert(key(&dest)) {
                n += 1;
                let stem = first.file_stem().unwrap_or_default().to_string_lossy();
                let name = match first.extension() {
                    Some(ext) => format!("{stem} ({n}).{}", ext.to_string_lossy()),
                    None => format!("{stem} ({n})"),
                };
                dest = first.with_file_name(name);
            }
            by_path.insert(input.path.clone(), dest.clone());
            dest
        })
        .collect()
}

/// Where `clean` and `watch` put the share-safe copy of `input`: the same relative path
/// under `out`, with every folder whose name identifies (judged by the same text rules
/// as a file name, see [`name_identifies`]) renamed `folder-<hash>`. The file name is
/// judged with the photo, in [`Engine::clean`].
///
/// Every name is made plain first ([`action::safe_name`]): no controls, bidi marks or
/// invisible characters, valid UTF-8.
pub fn destination(out: &Path, input: &Input) -> PathBuf {
    let parts = normal_parts(&input.relative);
    let mut dest = out.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let name = plain_name(part, last);
        if !last && name_identifies(&name) {
            // Named after the folder's path, so every photo of one folder (and a rerun,
            // or a restarted `watch`) lands in the same place.
            let path = parts[..=i].iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join("/");
            let digest = Sha256::digest(format!("medscrub folder\0{path}").as_bytes());
            dest.push(format!("folder-{}", &hex(&digest)[..12]));
        } else {
            dest.push(name);
        }
    }
    dest
}

/// `input`'s relative path with its names as they are, for copies that stay private
/// (`watch --blocked`): normal components only, so `..` cannot escape `out`, and made
/// plain as in [`destination`] (a name that shows other than it reads is no more
/// welcome in a private folder).
pub fn mirrored(out: &Path, input: &Input) -> PathBuf {
    let parts = normal_parts(&input.relative);
    let last = parts.len().saturating_sub(1);
    out.join(parts.iter().enumerate().map(|(i, p)| plain_name(p, i == last)).collect::<PathBuf>())
}

/// An input name as an output name ([`action::safe_name`]); a name with nothing
/// printable in it becomes `photo` (a file) or `folder`.
fn plain_name(part: &std::ffi::OsStr, file: bool) -> String {
    action::safe_name(part).unwrap_or_else(|| if file { "photo" } else { "folder" }.to_string())
}

pub(super) fn normal_parts(relative: &Path) -> Vec<&std::ffi::OsStr> {
    relative
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// Whether a folder name holds an identifier, read by every text rule the way a file
/// name is (`recognize::metadata_documents`). The folder's photos are not analysed yet
/// and one name covers them all, so it is judged as clinical text, the strict reading
/// the redaction check uses: a dated or named folder of clinical photos identifies.
pub fn name_identifies(name: &str) -> bool {
    let facts = MetaFacts::default();
    let documents = recognize::metadata_documents(&facts, name);
    let text = TextEvidence { documents, clinical: true };
    let evidence = rules::Evidence { text: Some(&text), ..rules::Evidence::of(&facts) };
    rules::run(&evidence).iter().any(|d| d.found_in == recognize::FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_mirrors_folders_and_never_escapes() {
        let input = |rel: &str| Input { path: PathBuf::from("x"), relative: PathBuf::from(rel) };
        assert_eq!(destination(Path::new("/out"), &input("a/b.jpg")), PathBuf::from("/out/a/b.jpg"));
        assert_eq!(
            destination(Path::new("/out"), &input("../../etc/x.jpg")),
            PathBuf::from("/out/etc/x.jpg")
        );
        assert_eq!(destination(Path::new("/out"), &input("/abs/x.jpg")), PathBuf::from("/out/abs/x.jpg"));
    }

    #[test]
    fn identifying_folders_get_neutral_names() {
        let input = |rel: &str| Input { path: PathBuf::from("x"), relative: PathBuf::from(rel) };
        let dest = destination(Path::new("/out"), &input("ward/DOE, JANE MRN 12345678/IMG_1.jpg"));
        let parts: Vec<String> = dest.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(parts[..3], ["/", "out", "ward"]);
        assert!(parts[3].starts_with("folder-") && parts[3].len() == 19, "{dest:?}");
        assert_eq!(parts[4], "IMG_1.jpg", "the file name is judged with the photo, not here");
        // The same folder always gets the same name; a plain one keeps its own.
        assert_eq!(dest, destination(Path::new("/out"), &input("ward/DOE, JANE MRN 12345678/IMG_1.jpg")));
        assert_eq!(destination(Path::new("/out"), &input("knee/a.jpg")), PathBuf::from("/out/knee/a.jpg"));
        // Private copies (watch --blocked) keep the original names.
        assert_eq!(mirrored(Path::new("/h"), &input("DOE, JANE/a.jpg")), PathBuf::from("/h/DOE, JANE/a.jpg"));
    }

    #[test]
    fn colliding_names_are_told_apart_and_repeats_share_one() {
        let input = |p: &str| Input { path: PathBuf::from(format!("/in/{p}")), relative: PathBuf::from(p) };
        let inputs = [
            input("IMG_1.JPG"),
            input("img_1.jpg"),
            input("caf\u{e9}.jpg"),
            input("cafe\u{301}.jpg"),
            input("a/x.jpg"),
            input("A/x.jpg"),
            input("IMG_1.JPG"),
            input("scan.tiff"),
            input("scan.png"),
            input("IMG_2.HEIC"),
            input("IMG_2.JPG"),
        ];
        let dests = destinations(Path::new("/out"), &inputs);
        let names: Vec<String> = dests.iter().map(|d| d.display().to_string()).collect();
        assert_eq!(
            names,
            [
                "/out/IMG_1.JPG",
                "/out/img_1 (2).jpg",
                "/out/caf\u{e9}.jpg",
                "/out/cafe\u{301} (2).jpg",
                "/out/a/x.jpg",
                "/out/A/x (2).jpg",
                "/out/IMG_1.JPG",
                // Either copy may be written with the other's extension.
                "/out/scan.tiff",
                "/out/scan (2).png",
                "/out/IMG_2.HEIC",
                "/out/IMG_2 (2).JPG",
            ]
        );
    }
}
