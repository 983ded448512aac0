//! Hostile inputs (`fixtures/hostile`, described in its README): every file runs through
//! the real binary under a virtual-memory cap and a deadline. None may crash medscrub,
//! hang it, or come out `share` as it is; unreadable ones are blocked with an error that
//! names the file and are never written; the rest are cleaned into copies that scan as
//! `share`.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Address space the whole run may use (KiB, `ulimit -v`): decoding one photo at the
/// default pixel limit fits; inflating any of the bombs would not.
const MEMORY_CAP_KIB: u64 = 3 * 1024 * 1024;

fn hostile_dir() -> PathBuf {
    fixtures().join("hostile")
}

fn expectations() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(hostile_dir().join("expected.json")).expect("hostile/expected.json");
    serde_json::from_str(&text).expect("hostile/expected.json parses")
}

/// Runs `medscrub ARGS` in a shell that caps its address space first.
fn capped(args: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("medscrub");
    let script = format!("ulimit -v {MEMORY_CAP_KIB} && exec '{}' {args}", bin.display());
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(hostile_dir()).timeout(Duration::from_secs(600));
    cmd.output().expect("medscrub runs")
}

fn names(expect: &BTreeMap<String, String>) -> String {
    expect.keys().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" ")
}

#[test]
fn hostile_files_are_never_shared_and_errors_name_the_file() {
    let expect = expectations();
    assert!(expect.len() >= 60, "the hostile set shrank to {}", expect.len());
    let out = capped(&format!("scan --format json --jobs 2 {}", names(&expect)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "exit code; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "a panic escaped: {stderr}");
    let reports = by_path(json_lines(&out.stdout));
    assert_eq!(reports.len(), expect.len(), "one report per file");
    for (name, must) in &expect {
        let r = &reports[name];
        let rules: Vec<&str> =
            r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert!(!rules.contains(&"error.internal"), "{name}: medscrub crashed on it: {}", r["error"]);
        assert_ne!(r["verdict"], "share", "{name} was judged shareable as it is");
        match must.as_str() {
            "error" => {
                assert_eq!(r["verdict"], "block", "{name}");
                let error = r["error"].as_str().unwrap_or_else(|| panic!("{name}: no error message"));
                assert!(error.contains(name.as_str()), "{name}: the error does not name the file: {error}");
                assert!(rules.iter().any(|id| id.starts_with("error.")), "{name}: {rules:?}");
            }
            "cleaned" | "not-written" => {
                assert!(r["error"].is_null(), "{name}: unexpected error {}", r["error"])
            }
            other => panic!("unknown expectation {other} for {name}"),
        }
    }
}

#[test]
fn clean_writes_nothing_for_unreadable_files_and_share_safe_copies_of_the_rest() {
    let expect = expectations();
    let out_dir = tempfile::tempdir().unwrap();
    let before = hashes(&hostile_dir());
    let out = capped(&format!(
        "clean --quiet --format json --jobs 2 --out '{}' {}",
        out_dir.path().display(),
        names(&expect)
    ));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    assert_eq!(hashes(&hostile_dir()), before, "an original was modified");
    let reports = by_path(json_lines(&out.stdout));
    let mut written = Vec::new();
    for (name, must) in &expect {
        let r = &reports[name];
        match must.as_str() {
            "error" | "not-written" => {
                assert!(r["output"].is_null(), "{name} was written to {}", r["output"]);
                assert!(!out_dir.path().join(name).exists(), "{name} has a copy");
                let error = r["error"].as_str().unwrap_or_else(|| panic!("{name}: not written, no error"));
                assert!(error.contains(name.as_str()), "{name}: {error}");
            }
            _ => {
                let output =
                    r["output"].as_str().unwrap_or_else(|| panic!("{name} was not written: {}", r["error"]));
                written.push(PathBuf::from(output));
            }
        }
    }
    // Nothing but the copies: no temp files, no partial files.
    let mut present = files_under(out_dir.path());
    present.sort();
    written.sort();
    assert_eq!(present, written);
    // Every copy scans as share: what was hidden is gone.
    let rescan = medscrub()
        .current_dir(out_dir.path())
        .args(["scan", "--format", "json"])
        .args(written.iter().map(|p| p.file_name().unwrap()))
        .output()
        .unwrap();
    for r in json_lines(&rescan.stdout) {
        assert_eq!(r["verdict"], "share", "{} after clean: {}", r["path"], r["findings"]);
    }
}

#[test]
fn every_hostile_file_has_an_expectation() {
    let listed = expectations();
    let present: Vec<String> = std::fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && n != "expected.json")
        .collect();
    for name in &present {
        assert!(listed.contains_key(name), "{name} is in fixtures/hostile but not in expected.json");
    }
    assert_eq!(present.len(), listed.len(), "expected.json lists files that are missing");
}

fn scan_json(names: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let out = medscrub()
        .current_dir(hostile_dir())
        .args(["scan", "--format", "json"])
        .args(names)
        .output()
        .unwrap();
    by_path(json_lines(&out.stdout))
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

/// Cleans `names` into a fresh folder; the reports by input name, and the folder.
fn clean_json(names: &[&str]) -> (BTreeMap<String, serde_json::Value>, tempfile::TempDir) {
    let out_dir = tempfile::tempdir().unwrap();
    let out = medscrub()
        .current_dir(hostile_dir())
        .args(["clean", "--quiet", "--format", "json", "--out"])
        .arg(out_dir.path())
        .args(names)
        .output()
        .unwrap();
    (by_path(json_lines(&out.stdout)), out_dir)
}

#[test]
fn text_behind_transparency_is_read_as_viewers_see_it() {
    // Black ink as alpha over 0,0,0,0 in every format with alpha, and white ink only a
    // dark-mode viewer (over black) shows: the MRN is found in each.
    let names = [
        "alpha_text_rgba.png",
        "alpha_text_palette_trns.png",
        "alpha_text_transparent.gif",
        "alpha_text.webp",
        "alpha_text_in.tiff",
        "alpha_white_text_dark_mode.png",
    ];
    let reports = scan_json(&names);
    for name in names {
        let rules = rules_of(&reports[name]);
        assert!(rules.contains(&"meta.transparency".to_string()), "{name}: {rules:?}");
        assert!(
            rules.contains(&"text.mrn".to_string()),
            "{name}: the MRN a viewer sees was not read: {rules:?}"
        );
    }
    // The near miss: an alpha channel that is opaque everywhere is not transparency.
    let out = medscrub()
        .arg("scan")
        .arg("--format")
        .arg("json")
        .arg(fixtures().join("photos/opaque_alpha.png"))
        .output()
        .unwrap();
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["verdict"], "share", "{}", r["findings"]);
}

#[test]
fn transparent_pictures_leave_flattened_onto_white() {
    let (reports, out_dir) = clean_json(&["alpha_corners.png"]);
    let r = &reports["alpha_corners.png"];
    assert_eq!(r["verdict"], "strip");
    assert_eq!(rules_of(r), ["meta.transparency"]);
    let copy = image::open(out_dir.path().join("alpha_corners.png")).unwrap();
    assert!(!copy.color().has_alpha(), "the copy still has an alpha channel: {:?}", copy.color());
    let rgb = copy.to_rgb8();
    assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255], "a transparent corner is drawn on white");
    assert_eq!(rgb.get_pixel(63, 47).0, [255, 255, 255]);
}

#[test]
fn only_the_checked_frame_leaves() {
    // APNG whose default image is not part of the animation: the played frame (a page
    // of print) is never decoded, so it must not leave; the copy is the default image.
    let (reports, out_dir) = clean_json(&["apng_unchecked_frame.png", "animated_two_frames.webp"]);
    for (name, r) in &reports {
        assert_eq!(r["verdict"], "strip", "{name}: {}", r["findings"]);
        assert!(rules_of(r).contains(&"meta.frames".to_string()), "{name}");
    }
    let apng = std::fs::read(out_dir.path().join("apng_unchecked_frame.png")).unwrap();
    for chunk in [b"acTL", b"fcTL", b"fdAT"] {
        assert!(!apng.windows(4).any(|w| w == chunk), "{} survived", String::from_utf8_lossy(chunk));
    }
    let still = image::open(out_dir.path().join("apng_unchecked_frame.png")).unwrap().to_luma8();
    assert!(still.get_pixel(300, 200).0[0] > 150, "the copy is the plain default image");
    let webp = std::fs::read(out_dir.path().join("animated_two_frames.webp")).unwrap();
    assert!(!webp.windows(4).any(|w| w == b"ANMF" || w == b"ANIM"), "the WebP copy is still animated");
}

#[test]
fn orientation_is_what_viewers_use() {
    // Two Exif blocks: the first (viewers, exiftool) says 6, the second 1. Analysis and
    // the stripped copy follow the first: displayed 480x640.
    let (reports, out_dir) = clean_json(&["two_exif_orientations.jpg", "exif_orientation_6.png"]);
    let r = &reports["two_exif_orientations.jpg"];
    assert_eq!((r["width"].as_u64(), r["height"].as_u64()), (Some(480), Some(640)), "analysed sideways");
    let p = &reports["exif_orientation_6.png"];
    assert!(p["error"].is_null(), "a PNG turned by eXIf could not be cleaned: {}", p["error"]);
    let rescan = medscrub()
        .current_dir(out_dir.path())
        .args(["scan", "--format", "json", "two_exif_orientations.jpg", "exif_orientation_6.png"])
        .output()
        .unwrap();
    let copies = by_path(json_lines(&rescan.stdout));
    let jpg = &copies["two_exif_orientations.jpg"];
    assert_eq!((jpg["width"].as_u64(), jpg["height"].as_u64()), (Some(480), Some(640)), "the copy turned");
    let png = &copies["exif_orientation_6.png"];
    assert_eq!((png["width"].as_u64(), png["height"].as_u64()), (Some(48), Some(64)));
    let bytes = std::fs::read(out_dir.path().join("exif_orientation_6.png")).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"eXIf"), "the PNG copy still carries eXIf");
}

/// What the profile and container fixtures hide (fixtures/hostile.rs `HIDDEN`).
const HIDDEN_MRN: &[u8] = b"12345678";

#[test]
fn colour_profiles_are_read_and_leave_with_colour_data_only() {
    let names = ["icc_private_tags.jpg", "iccp_named_after_patient.png"];
    let (reports, out_dir) = clean_json(&names);
    // The name and MRN in the profile's description (and in the iCCP name) are found
    // by the text rules; the private tag, device text and hidden bytes are meta.icc.
    let icc = rules_of(&reports["icc_private_tags.jpg"]);
    for rule in ["meta.icc", "text.mrn"] {
        assert!(icc.contains(&rule.to_string()), "icc_private_tags.jpg: {icc:?}");
    }
    let named = rules_of(&reports["iccp_named_after_patient.png"]);
    assert!(named.contains(&"text.mrn".to_string()), "iccp_named_after_patient.png: {named:?}");
    assert!(!named.contains(&"meta.icc".to_string()), "the profile itself is plain: {named:?}");
    for name in names {
        let copy = out_dir.path().join(name);
        let bytes = std::fs::read(&copy).unwrap();
        assert!(!bytes.windows(8).any(|w| w == HIDDEN_MRN), "{name}: the MRN survived");
        assert!(!bytes.windows(4).any(|w| w == b"Ward"), "{name}: profile text survived");
        // exiftool, an independent reader: the canonical profile, colour data kept.
        let tags = exiftool(&copy);
        let desc = tags.get("ICC_Profile:ProfileDescription").and_then(|v| v.as_str());
        assert_eq!(desc, Some("Colour profile (cleaned by medscrub)"), "{name}: {tags:?}");
        assert!(tags.contains_key("ICC_Profile:RedMatrixColumn"), "{name}: colour data lost");
        assert!(!tags.keys().any(|k| k.contains("DeviceMfgDesc")), "{name}: device text left");
        let original = exiftool(&hostile_dir().join(name));
        assert_eq!(original.get("ICC_Profile:RedMatrixColumn"), tags.get("ICC_Profile:RedMatrixColumn"));
    }
    // The private tag held a whole JPEG: only the picture's own SOI is left.
    let jpg = std::fs::read(out_dir.path().join("icc_private_tags.jpg")).unwrap();
    assert_eq!(jpg.windows(3).filter(|w| *w == [0xFF, 0xD8, 0xFF]).count(), 1);
    // The near miss: a plain profile (colour data and a short name) is shared as it is.
    let out = medscrub().args(["scan", "--format", "json", "photos/icc_only.jpg"]).output().unwrap();
    assert_eq!(json_lines(&out.stdout)[0]["verdict"], "share");
}

#[test]
fn bytes_that_display_nothing_are_found_and_left_behind() {
    let names = [
        "jpeg_reserved_markers.jpg",
        "jpeg_app13_not_8bim.jpg",
        "jpeg_header_slack.jpg",
        "jpeg_unused_table.jpg",
        "jpeg_after_last_block.jpg",
        "jpeg_progressive_after_block.jpg",
        "png_after_zlib_stream.png",
        "webp_riff_slack.webp",
        "webp_after_bitstream.webp",
    ];
    let (reports, out_dir) = clean_json(&names);
    for name in names {
        let r = &reports[name];
        assert_eq!(r["verdict"], "strip", "{name}: {}", r["findings"]);
        let rules = rules_of(r);
        let expected = if name == "jpeg_app13_not_8bim.jpg" { "meta.other" } else { "meta.container" };
        assert_eq!(rules, [expected], "{name}");
        let copy = out_dir.path().join(name);
        let bytes = std::fs::read(&copy).unwrap();
        assert!(!bytes.windows(8).any(|w| w == HIDDEN_MRN), "{name}: the hidden MRN survived clean");
        assert!(!bytes.windows(5).any(|w| w == b"MRN 1"), "{name}: the hidden bytes survived clean");
        // The picture is the same, pixel for pixel.
        let (a, b) = (image::open(hostile_dir().join(name)).unwrap(), image::open(&copy).unwrap());
        assert_eq!(a.to_rgb8().as_raw(), b.to_rgb8().as_raw(), "{name}: pixels changed");
    }
    // exiftool sees no Photoshop or Adobe leftovers in the JPEG copies.
    for name in ["jpeg_app13_not_8bim.jpg", "jpeg_header_slack.jpg"] {
        let tags = exiftool(&out_dir.path().join(name));
        assert!(!tags.keys().any(|k| k.starts_with("Photoshop:")), "{name}: {tags:?}");
    }
}

#[test]
fn deeply_nested_xmp_is_refused_within_a_couple_of_seconds() {
    // 40 000 nested elements took 114 s, and --max-seconds could not stop it.
    let started = std::time::Instant::now();
    let reports = scan_json(&["deep_xmp_40000.png"]);
    let elapsed = started.elapsed();
    let r = &reports["deep_xmp_40000.png"];
    assert_eq!(r["verdict"], "block");
    assert_eq!(rules_of(r), ["error.limits"]);
    let error = r["error"].as_str().unwrap();
    assert!(error.contains("deep_xmp_40000.png") && error.contains("nested deeper"), "{error}");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}
