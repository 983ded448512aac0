//! `clean` end to end: what it writes, checked by exiftool (an independent reader), by
//! decoding the pixels, and by hashing the originals before and after.

use crate::common::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// exiftool groups and tags that may remain in a share-safe copy: the container's own
/// structure, the ICC profile, JFIF density, Adobe colour transform, and Orientation.
fn allowed(key: &str) -> bool {
    let (group, tag) = key.split_once(':').unwrap_or(("", key));
    match group {
        "" | "System" | "File" | "ExifTool" | "Composite" | "JFIF" | "Adobe" | "RIFF" | "GIF" => {
            !tag.contains("Comment") && !tag.contains("Thumbnail")
        }
        g if g.starts_with("ICC") => true,
        "PNG" | "PNG-pHYs" => !matches!(
            tag,
            "Author" | "Comment" | "Copyright" | "ModifyDate" | "Title" | "Description" | "Software"
        ),
        "IFD0" => matches!(
            tag,
            "Orientation"
                | "ImageWidth"
                | "ImageHeight"
                | "BitsPerSample"
                | "Compression"
                | "PhotometricInterpretation"
                | "StripOffsets"
                | "SamplesPerPixel"
                | "RowsPerStrip"
                | "StripByteCounts"
                | "PlanarConfiguration"
                | "XResolution"
                | "YResolution"
                | "ResolutionUnit"
                | "SampleFormat"
                | "ExtraSamples"
                | "Predictor"
        ),
        _ => false,
    }
}

fn leaks(file: &Path) -> Vec<String> {
    let tags = exiftool(file);
    let mut bad: Vec<String> = tags.keys().filter(|k| !allowed(k)).cloned().collect();
    if let Some(w) = tags.get("ExifTool:Warning")
        && w.to_string().to_lowercase().contains("trailer")
    {
        bad.push(format!("warning {w}"));
    }
    bad
}

fn clean_into(out: &Path, paths: &[&str]) -> assert_cmd::assert::Assert {
    medscrub().arg("clean").arg("--out").arg(out).arg("--format=json").args(paths).assert()
}

#[test]
fn clean_leaves_nothing_exiftool_can_find_and_never_touches_originals() {
    let before = hashes(&fixtures());
    let out = tempfile::tempdir().unwrap();
    let assert = clean_into(out.path(), &["photos"]).code(0);
    let reports = json_lines(&assert.get_output().stdout);
    assert!(reports.len() >= 15);
    for r in &reports {
        let written = PathBuf::from(r["output"].as_str().unwrap_or_else(|| panic!("not written: {r}")));
        let bad = leaks(&written);
        assert!(bad.is_empty(), "{} still holds {bad:?}", written.display());
        // And medscrub's own reader agrees: a second scan says share.
        let (code, rescan) = {
            let o = medscrub().arg("scan").arg("--format=json").arg(&written).output().unwrap();
            (o.status.code().unwrap(), json_lines(&o.stdout))
        };
        assert_eq!((code, rescan[0]["verdict"].as_str()), (0, Some("share")), "{}", written.display());
    }
    assert_eq!(before, hashes(&fixtures()), "an original changed");
    // The unicode folder is mirrored.
    assert!(out.path().join("Ward rounds – café/ünïcode photo.jpg").is_file());
    // HEIC becomes JPEG, said in the report.
    let heic = reports.iter().find(|r| r["path"] == "photos/phone.heic");
    if let Some(h) = heic {
        assert!(h["output"].as_str().unwrap().ends_with("phone.jpg"));
        assert!(h["notes"].to_string().contains("JPEG"));
    }
    // A PNG named .jpg leaves named .png: upload forms and viewers go by the name.
    let png = reports.iter().find(|r| r["path"] == "photos/mislabelled_png.jpg").unwrap();
    assert!(png["output"].as_str().unwrap().ends_with("mislabelled_png.png"), "{png}");
    assert!(png["notes"].to_string().contains("named .png"), "{png}");
}

#[test]
fn exiftool_sees_the_leaks_in_the_originals() {
    // The near miss for the test above: the same check on the inputs must fire, or the
    // allow-list proves nothing.
    let bad = leaks(&fixtures().join("photos/phone_full_metadata.jpg"));
    for expected in [
        "GPS:GPSLatitude",
        "IFD0:Make",
        "ExifIFD:DateTimeOriginal",
        "IFD1:ThumbnailImage",
        "IPTC:By-line",
        "File:Comment",
    ] {
        assert!(bad.iter().any(|k| k == expected), "{expected} not in {bad:?}");
    }
    assert!(bad.iter().any(|k| k.starts_with("XMP")));
    assert!(!leaks(&fixtures().join("photos/text_chunks.png")).is_empty());
    assert!(!leaks(&fixtures().join("photos/exif_xmp.webp")).is_empty());
}

fn decoded(path: &Path) -> image::DynamicImage {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn stripping_is_lossless_and_keeps_orientation_and_icc() {
    let out = tempfile::tempdir().unwrap();
    clean_into(out.path(), &["photos"]).code(0);
    for name in [
        "phone_full_metadata.jpg",
        "orientation_6.jpg",
        "orientation_8.jpg",
        "text_chunks.png",
        "exif_xmp.webp",
        "comment.gif",
        "progressive_com_after_sos.jpg",
        "camera.tiff",
    ] {
        let (a, b) = (fixtures().join("photos").join(name), out.path().join(name));
        let (src, dst) = (exiftool(&a), exiftool(&b));
        if name != "camera.tiff" {
            // Stored pixels identical (TIFF is checked as displayed, below).
            assert_eq!(decoded(&a).as_bytes(), decoded(&b).as_bytes(), "{name}: pixels changed");
        }
        // Orientation 1 is written as no orientation at all.
        let orientation = |t: &std::collections::BTreeMap<String, serde_json::Value>| {
            t.get("IFD0:Orientation").and_then(|v| v.as_str()).unwrap_or("Horizontal (normal)").to_string()
        };
        assert_eq!(orientation(&src), orientation(&dst), "{name}: orientation");
        // The colour data of the profile survives; its name is the canonical one
        // (profile text is free text, see meta.icc).
        for key in [
            "ICC-header:ColorSpaceData",
            "ICC-header:ProfileClass",
            "ICC_Profile:MediaWhitePoint",
            "ICC_Profile:RedMatrixColumn",
            "ICC_Profile:BlueMatrixColumn",
        ] {
            assert_eq!(src.get(key), dst.get(key), "{name}: ICC {key}");
        }
        if src.contains_key("ICC_Profile:ProfileDescription") {
            assert_eq!(
                dst.get("ICC_Profile:ProfileDescription").and_then(|v| v.as_str()),
                Some("Colour profile (cleaned by medscrub)"),
                "{name}"
            );
        }
    }
    // Displayed size survives: orientation 6 still shows portrait.
    let o6 = exiftool(&out.path().join("orientation_6.jpg"));
    assert_eq!(o6.get("IFD0:Orientation").and_then(|v| v.as_str()), Some("Rotate 90 CW"));
    // JPEG scan data is copied byte for byte: the copy is smaller only by the metadata.
    let src = std::fs::read(fixtures().join("photos/clean.jpg")).unwrap();
    let dst = std::fs::read(out.path().join("clean.jpg")).unwrap();
    assert_eq!(src, dst, "a shareable photo is copied byte for byte");
}

#[test]
fn existing_outputs_are_not_overwritten_without_force() {
    let out = tempfile::tempdir().unwrap();
    clean_into(out.path(), &["photos/gps_only.jpg"]).code(0);
    // The same copy again is fine (a rerun); a different file under that name is not.
    clean_into(out.path(), &["photos/gps_only.jpg"]).code(0);
    std::fs::write(out.path().join("gps_only.jpg"), b"someone else's file").unwrap();
    medscrub()
        .args(["clean", "photos/gps_only.jpg", "--out"])
        .arg(out.path())
        .assert()
        .code(3)
        .stdout(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(out.path().join("gps_only.jpg")).unwrap(), b"someone else's file");
    medscrub().args(["clean", "photos/gps_only.jpg", "--force", "--out"]).arg(out.path()).assert().code(0);
    let names: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "no temp files left: {names:?}");
}

#[test]
fn blocked_photos_are_not_written_and_clean_exits_3() {
    let out = tempfile::tempdir().unwrap();
    let assert = clean_into(out.path(), &["broken", "photos/clean.jpg"]).code(3);
    let reports = json_lines(&assert.get_output().stdout);
    let written: Vec<_> = files_under(out.path());
    assert_eq!(written, vec![out.path().join("clean.jpg")]);
    for r in reports.iter().filter(|r| r["verdict"] == "block") {
        assert_eq!(r["action"], "not-written");
        assert!(r["output"].is_null());
    }
}

#[test]
fn the_output_folder_inside_the_input_is_not_rescanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("photos/gps_only.jpg"), dir.path().join("a.jpg")).unwrap();
    let out = dir.path().join("safe");
    medscrub().arg("clean").arg(dir.path()).arg("--out").arg(&out).assert().code(0);
    // A second run over the same folder must not pick up safe/a.jpg as a new input.
    let o = medscrub()
        .arg("clean")
        .arg("--format=json")
        .arg(dir.path())
        .arg("--force")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(json_lines(&o.stdout).len(), 1);
}

#[test]
fn trailers_are_cut_at_the_end_of_the_image() {
    let out = tempfile::tempdir().unwrap();
    clean_into(out.path(), &["photos/phone_full_metadata.jpg"]).code(0);
    let src = std::fs::read(fixtures().join("photos/phone_full_metadata.jpg")).unwrap();
    let dst = std::fs::read(out.path().join("phone_full_metadata.jpg")).unwrap();
    assert!(dst.ends_with(&[0xFF, 0xD9]));
    // Exactly one SOI: the appended second JPEG is gone.
    let sois = dst.windows(3).filter(|w| *w == [0xFF, 0xD8, 0xFF]).count();
    assert_eq!(sois, 1);
    assert!(src.windows(3).filter(|w| *w == [0xFF, 0xD8, 0xFF]).count() >= 2);
}

/// Decodes a file the way medscrub does (metadata, then pixels with orientation applied).
fn displayed(path: &Path) -> image::RgbImage {
    let bytes = std::fs::read(path).unwrap();
    let format = medscrub::intake::image_format(&bytes).unwrap();
    let facts = medscrub::metadata::read(&bytes, format).unwrap();
    medscrub::decode::decode(&bytes, format, facts.orientation, &medscrub::Limits::default())
        .unwrap()
        .pixels
        .to_rgb8()
}

fn is_red(p: &image::Rgb<u8>) -> bool {
    p.0[0] > 180 && p.0[1] < 80 && p.0[2] < 80
}

#[test]
fn cleaned_copies_display_the_right_way_up() {
    let out = tempfile::tempdir().unwrap();
    clean_into(out.path(), &["photos/orientation_6.jpg", "photos/orientation_8.jpg", "photos/camera.tiff"])
        .code(0);
    // Orientation 6: the stored top-left red block is displayed top-right.
    let six = displayed(&out.path().join("orientation_6.jpg"));
    assert_eq!(six.dimensions(), (300, 400));
    assert!(is_red(six.get_pixel(270, 30)), "{:?}", six.get_pixel(270, 30));
    assert!(!is_red(six.get_pixel(30, 30)));
    // Orientation 8: displayed bottom-left.
    let eight = displayed(&out.path().join("orientation_8.jpg"));
    assert!(is_red(eight.get_pixel(30, 370)), "{:?}", eight.get_pixel(30, 370));
    // Re-encoded TIFF: displayed pixels identical to the original's.
    assert_eq!(displayed(&fixtures().join("photos/camera.tiff")), displayed(&out.path().join("camera.tiff")));
}

#[test]
fn heic_becomes_a_faithful_jpeg() {
    let heic = fixtures().join("photos/phone.heic");
    assert!(heic.is_file(), "the HEIC fixture is committed");
    let out = tempfile::tempdir().unwrap();
    clean_into(out.path(), &["photos/phone.heic"]).code(0);
    let (a, b) = (displayed(&heic), displayed(&out.path().join("phone.jpg")));
    assert_eq!(a.dimensions(), b.dimensions());
    let diff: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    let mean = diff as f64 / a.as_raw().len() as f64;
    assert!(mean < 3.0, "mean difference {mean}");
    assert!(leaks(&out.path().join("phone.jpg")).is_empty());
}

#[test]
fn the_output_folder_cannot_be_an_input_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("photos/gps_only.jpg"), dir.path().join("a.jpg")).unwrap();
    let before = std::fs::read(dir.path().join("a.jpg")).unwrap();
    medscrub()
        .arg("clean")
        .arg(dir.path())
        .arg("--force")
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("separate folder"));
    assert_eq!(before, std::fs::read(dir.path().join("a.jpg")).unwrap());
}

#[test]
fn identifying_folder_names_are_not_copied_into_the_output() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let named = input.path().join("DOE, JANE MRN 12345678");
    std::fs::create_dir_all(&named).unwrap();
    std::fs::create_dir_all(input.path().join("knee")).unwrap();
    std::fs::copy(fixtures().join("photos/clean.jpg"), named.join("photo.jpg")).unwrap();
    std::fs::copy(fixtures().join("photos/clean.jpg"), input.path().join("knee/photo.jpg")).unwrap();
    let (stdout, written) = clean_folder(input.path(), out.path());
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().all(|p| !p.contains("DOE") && !p.contains("12345678")), "{written:?}");
    assert!(written.iter().any(|p| p.starts_with("folder-") && p.ends_with("/photo.jpg")), "{written:?}");
    assert!(written.contains(&"knee/photo.jpg".to_string()), "a plain folder name is kept: {written:?}");
    let notes = String::from_utf8_lossy(&stdout);
    assert!(notes.contains("folder name(s) on the way hold an identifier"), "{notes}");
}

#[test]
fn the_html_report_never_replaces_a_photo_or_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("photo.jpg");
    std::fs::copy(fixtures().join("photos/clean.jpg"), &photo).unwrap();
    let original = std::fs::read(&photo).unwrap();
    // The report given as one of the photos: refused, even with --force, before any scan.
    for force in [false, true] {
        let mut cmd = medscrub();
        cmd.arg("scan").arg(&photo).arg("--report").arg(&photo);
        if force {
            cmd.arg("--force");
        }
        cmd.assert().code(2).stderr(predicate::str::contains("one of the photos being checked"));
        assert_eq!(std::fs::read(&photo).unwrap(), original, "the photo was overwritten");
    }
    // A photo inside a folder that is scanned counts too.
    medscrub()
        .arg("scan")
        .arg(dir.path())
        .arg("--report")
        .arg(&photo)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("photo.jpg"));
    assert_eq!(std::fs::read(&photo).unwrap(), original);
    // Any other existing file: refused without --force, replaced with it.
    let report = dir.path().join("notes.html");
    std::fs::write(&report, b"my notes").unwrap();
    medscrub()
        .arg("scan")
        .arg(&photo)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read(&report).unwrap(), b"my notes");
    medscrub().arg("scan").arg(&photo).arg("--report").arg(&report).arg("--force").assert().code(0);
    assert!(std::fs::read_to_string(&report).unwrap().contains("<html"), "replaced with --force");
}
