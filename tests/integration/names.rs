//! File names as reports and outputs show them: an identifier in a name stays masked,
//! output names are plain text, a name that is not UTF-8 keeps its exact bytes, and
//! links inside a folder are reported rather than silently passed over.

use crate::common::*;
use std::path::Path;

fn copy_clean_photo(to: &Path) {
    std::fs::copy(fixtures().join("photos/clean.png"), to).unwrap();
}

#[test]
fn the_text_report_masks_an_identifier_in_the_file_name_as_its_findings_do() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("Doe_Jane_MRN12345678.png");
    copy_clean_photo(&photo);
    let html = dir.path().join("report.html");
    let run = medscrub().arg("scan").arg(&photo).arg("--report").arg(&html).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("text.mrn"), "the name's MRN is a finding: {text}");
    assert!(!text.contains("12345678") && !text.contains("Doe_Jane"), "the header undid the mask: {text}");
    assert!(text.contains("Do••••••••••••78.png"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("12345678"), "the HTML report undid the mask");

    // --show-text shows the findings whole, and the name with them.
    let shown = medscrub().arg("scan").arg(&photo).arg("--show-text").output().unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Doe_Jane_MRN12345678.png"));
    // Scripts get the real path: it is their own file.
    let json = medscrub().args(["scan", "--format", "json"]).arg(&photo).output().unwrap();
    assert_eq!(json_lines(&json.stdout)[0]["path"], photo.display().to_string());
}

#[test]
fn output_names_lose_controls_and_bidi_marks() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // U+202E shows `gnp.exe` reversed, as `exe.png`; U+200F and U+0007 are invisible.
    let folder = input.path().join("ward\u{200F}4");
    std::fs::create_dir(&folder).unwrap();
    copy_clean_photo(&folder.join("knee\u{7}\u{202E}.png"));
    copy_clean_photo(&input.path().join("elbow\u{2066}.png"));
    let (stdout, written) = clean_folder(input.path(), out.path());
    assert_eq!(written, ["elbow.png", "ward4/knee.png"]);
    for r in json_lines(&stdout) {
        let output = r["output"].as_str().unwrap();
        assert!(
            !output.chars().any(|c| c.is_control() || ('\u{200E}'..='\u{206F}').contains(&c)),
            "{output:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_reported_with_its_exact_bytes() {
    use base64::Engine as _;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let dir = tempfile::tempdir().unwrap();
    let mut raw = dir.path().as_os_str().as_bytes().to_vec();
    raw.extend_from_slice(b"/knee-\xE9.png"); // Latin-1 é: not UTF-8
    let photo = std::path::PathBuf::from(std::ffi::OsString::from_vec(raw.clone()));
    copy_clean_photo(&photo);
    let out = dir.path().join("out");
    let run = medscrub().args(["clean", "--format", "json", "--out"]).arg(&out).arg(&photo).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let report = &json_lines(&run.stdout)[0];
    assert!(report["path"].as_str().unwrap().ends_with("/knee-\u{FFFD}.png"), "{report}");
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(report["path_bytes"].as_str().unwrap()).unwrap();
    assert_eq!(bytes, raw, "path_bytes names the file exactly");
    // The copy's name is plain UTF-8, so `output` is exact without a second field.
    assert_eq!(report["output"], out.join("knee-\u{FFFD}.png").display().to_string());
    assert!(out.join("knee-\u{FFFD}.png").is_file());
    // A name that is UTF-8 needs no second field.
    let plain = medscrub().args(["scan", "--format", "json", "photos/clean.png"]).output().unwrap();
    assert!(json_lines(&plain.stdout)[0].get("path_bytes").is_none());
}

#[cfg(unix)]
#[test]
fn links_inside_a_folder_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    copy_clean_photo(&folder.join("real.png"));
    copy_clean_photo(&dir.path().join("outside.png"));
    std::os::unix::fs::symlink(dir.path().join("outside.png"), folder.join("link.png")).unwrap();
    std::os::unix::fs::symlink("/", folder.join("everything")).unwrap();
    let run = medscrub().args(["scan", "--format", "json"]).arg(&folder).output().unwrap();
    let reports = json_lines(&run.stdout);
    assert_eq!(reports.len(), 1, "links are not followed");
    assert!(reports[0]["path"].as_str().unwrap().ends_with("real.png"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    for link in ["link.png", "everything"] {
        let note = format!("skipped {} (a symbolic link", folder.join(link).display());
        assert!(stderr.contains(&note), "no note for {link}: {stderr}");
    }
}
