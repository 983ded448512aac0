//! The text stage end to end, with real Tesseract and rxing: a wristband photo is found,
//! explained with masked text, covered by `clean`, and the covered copy reads clean; a
//! menu full of text and prices is left alone; an institution's sign is covered under the
//! profiles whose mark it is, and a photographed handout is blocked. (fixtures/text/
//! comes from `cargo run --release --example eval-generate -- DIR --phi 8 --benign 4`;
//! the sign and the handout are `institutional/institution_sign_002.jpg` and
//! `institutional/handout_000.jpg` of the default corpus.)

use crate::common::*;
use std::collections::BTreeSet;

fn rules(report: &serde_json::Value) -> BTreeSet<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_wristband_is_redacted_and_the_copy_reads_clean() {
    let out =
        medscrub().args(["scan", "--format=json", "text/wristband_should_redact.jpg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["verdict"], "redact");
    let found = rules(report);
    for rule in ["text.mrn", "text.dob", "barcode.payload"] {
        assert!(found.contains(rule), "{rule} not in {found:?}");
    }
    for f in report["findings"].as_array().unwrap() {
        assert!(!f["bbox"].is_null(), "every visible finding has a box: {f}");
    }
    let text = report.to_string();
    assert!(!text.contains("8360352378"), "the MRN leaked into the report");
    assert!(report["timings"]["text_ms"].as_f64().unwrap() > 0.0);

    let dir = tempfile::tempdir().unwrap();
    medscrub().args(["clean", "text/wristband_should_redact.jpg", "--out"]).arg(dir.path()).assert().code(0);
    let copy = dir.path().join("wristband_should_redact.jpg");
    let rescan = medscrub().arg("scan").arg("--format=json").arg(&copy).output().unwrap();
    let again = &json_lines(&rescan.stdout)[0];
    assert_eq!(again["verdict"], "share", "the covered copy still shows: {again}");
    // The covered copy is a different picture from the original, with no metadata.
    assert_ne!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(fixtures().join("text/wristband_should_redact.jpg")).unwrap()
    );
}

#[test]
fn a_menu_with_prices_is_shareable() {
    let out = medscrub().args(["scan", "--format=json", "text/menu_should_share.jpg"]).output().unwrap();
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["verdict"], "share", "{report}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn show_text_reveals_what_was_found() {
    let out = medscrub().args(["scan", "--show-text", "text/wristband_should_redact.jpg"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("8360352378"));
}

fn scan(policy: &str, file: &str) -> (i32, serde_json::Value) {
    let out = medscrub().args(["scan", "--format=json", "--policy", policy, file]).output().unwrap();
    (out.status.code().unwrap(), json_lines(&out.stdout).remove(0))
}

#[test]
fn an_institution_sign_is_covered_only_under_the_profiles_whose_mark_it_is() {
    // A Michigan Medicine sign: its brand matters to Michigan Medicine (and so to
    // strictest), not to Wayne State, whose profile lists its own marks.
    let (code, report) = scan("michigan-medicine", "text/sign_should_redact.jpg");
    assert_eq!((code, report["verdict"].as_str()), (1, Some("redact")), "{report}");
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "brand.logo-text");
    assert!(!f["bbox"].is_null(), "the mark has a box to cover");
    assert!(f["citations"][0]["clause"].as_str().unwrap().starts_with("University brand"), "{f}");
    for other in ["wsu", "nottingham"] {
        let (code, report) = scan(other, "text/sign_should_redact.jpg");
        assert_eq!((code, report["verdict"].as_str()), (0, Some("share")), "{other}: {report}");
    }

    let dir = tempfile::tempdir().unwrap();
    medscrub()
        .args(["clean", "--policy", "michigan-medicine", "text/sign_should_redact.jpg", "--out"])
        .arg(dir.path())
        .assert()
        .code(0);
    let copy = dir.path().join("sign_should_redact.jpg");
    let rescan = medscrub()
        .args(["scan", "--format=json", "--policy", "michigan-medicine"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(json_lines(&rescan.stdout)[0]["verdict"], "share", "the mark is still readable");
}

#[test]
fn a_photographed_handout_is_blocked_and_not_written() {
    let (code, report) = scan("nottingham", "text/handout_should_block.jpg");
    assert_eq!((code, report["verdict"].as_str()), (3, Some("block")), "{report}");
    let doc = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "doc.institutional");
    let doc = doc.unwrap_or_else(|| panic!("no doc.institutional in {report}"));
    assert!(doc["citations"][0]["clause"].as_str().unwrap().contains("university documents"), "{doc}");

    let dir = tempfile::tempdir().unwrap();
    medscrub().args(["clean", "text/handout_should_block.jpg", "--out"]).arg(dir.path()).assert().code(3);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "a blocked photo was written");
}

/// A photo of pure texture (a lawn-like pattern of blades, no letters): the text
/// detector finds no text in it, nothing is read as an identifier, and nothing is
/// painted over. On real photos the hand-made region search read regions all over
/// texture like this, and found "ages" and "names" in it.
#[test]
fn texture_is_not_text_and_is_not_covered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lawn.png");
    let mut state = 0x2545_f491u32;
    let mut next = move || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        state >> 8
    };
    let mut lawn = image::RgbImage::from_pixel(1200, 900, image::Rgb([40, 110, 30]));
    for _ in 0..9000 {
        let (x, y, len) = (next() % 1200, next() % 900, 8 + next() % 30);
        let shade = 60 + (next() % 120) as u8;
        for d in 0..len {
            let (px, py) = (x + d / 4, y + d);
            if px < 1200 && py < 900 {
                lawn.put_pixel(px, py, image::Rgb([shade / 2, shade, shade / 3]));
            }
        }
    }
    lawn.save(&path).unwrap();
    let lines = medscrub::ocr::detect::find_lines(&image::DynamicImage::ImageRgb8(lawn).to_luma8()).unwrap();
    assert!(lines.len() <= 2, "texture read as {} lines of text", lines.len());

    let out = medscrub().args(["scan", "--format=json"]).arg(&path).output().unwrap();
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["verdict"], "share", "{report}");
}

/// The detector finds the lines of a menu, and none in a flat picture.
#[test]
fn the_text_detector_finds_lines_where_there_is_text() {
    let menu = image::open(fixtures().join("text/menu_should_share.jpg")).unwrap().to_luma8();
    let lines = medscrub::ocr::detect::find_lines(&menu).unwrap();
    assert!(lines.len() >= 5, "{} lines on the menu", lines.len());
    for l in &lines {
        assert!(l.rect.x + l.rect.width <= menu.width() && l.rect.y + l.rect.height <= menu.height());
        assert!((0.5..=1.0).contains(&l.score));
    }
    let flat = image::GrayImage::from_pixel(800, 600, image::Luma([128]));
    assert!(medscrub::ocr::detect::find_lines(&flat).unwrap().is_empty());
}

/// Without its models the text stage cannot look, so the photo is blocked (fail
/// closed), and the message says how to install them.
#[test]
fn a_missing_model_blocks_the_photo_and_says_how_to_install_it() {
    let empty = tempfile::tempdir().unwrap();
    let out = medscrub()
        .env("MEDSCRUB_MODELS", empty.path())
        .args(["scan", "--format=json", "text/menu_should_share.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "block");
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["verdict"], "block");
    assert!(rules(report).contains("error.text"), "{report}");
    let error = report["error"].as_str().unwrap();
    assert!(error.contains("menu_should_share.jpg") && error.contains("scripts/install-models"), "{error}");
}

/// A photographed prescription (`documents/prescription_000.jpg` of the default corpus:
/// its patient fields handwritten) is a medical record, and blocked as one.
#[test]
fn a_photographed_prescription_is_blocked_as_a_medical_record() {
    let out =
        medscrub().args(["scan", "--format=json", "text/prescription_should_block.jpg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(report["verdict"], "block");
    assert!(rules(report).contains("doc.medical-record"), "{report}");
}

/// PP-OCR's recogniser reads the wristband's detected lines, and a line standing on
/// its end (a band photographed sideways, turned either way: the line's box is tall, and
/// it is read turned both ways, the more confident read kept).
#[test]
fn the_recogniser_reads_detected_lines_upright_and_on_end() {
    use medscrub::geometry::Rect;
    use medscrub::ocr::rec::read_line;
    let band = image::open(fixtures().join("text/wristband_should_redact.jpg")).unwrap().to_luma8();
    let confident = |line: medscrub::ocr::Line| -> String {
        let words: Vec<String> =
            line.words.into_iter().filter(|w| w.confidence >= 40.0).map(|w| w.text).collect();
        words.join(" ")
    };
    let lines = medscrub::ocr::detect::find_lines(&band).unwrap();
    let read: Vec<(Rect, String)> =
        lines.iter().map(|l| (l.rect, confident(read_line(&band, l.rect).unwrap()))).collect();
    let all: Vec<&str> = read.iter().map(|(_, t)| t.as_str()).collect();
    let (mrn_line, _) =
        read.iter().find(|(_, t)| t.contains("8360352378")).unwrap_or_else(|| panic!("{all:?}"));
    assert!(all.iter().any(|t| t.contains("NANCY")), "the name not read in {all:?}");

    let r = *mrn_line;
    let crop = image::imageops::crop_imm(&band, r.x, r.y, r.width, r.height).to_image();
    for (turn, on_end) in
        [("right", image::imageops::rotate90(&crop)), ("left", image::imageops::rotate270(&crop))]
    {
        let whole = Rect { x: 0, y: 0, width: on_end.width(), height: on_end.height() };
        let text = confident(read_line(&on_end, whole).unwrap());
        assert!(text.contains("8360352378"), "turned {turn}: read {text:?}");
    }
    // A flat picture reads as nothing confident.
    let flat = image::GrayImage::from_pixel(400, 100, image::Luma([200]));
    let nothing = read_line(&flat, Rect { x: 0, y: 0, width: 400, height: 100 }).unwrap();
    assert!(confident(nothing).is_empty());
}

/// A page photographed sideways or upside down, its pixels turned (no orientation tag
/// left to say so), is read as a viewer turning it would read it: its lines standing
/// on end are read turned either way, and a page whose level lines read only upside
/// down is read turned half round. The same prescription, turned each way, is blocked
/// with its patient fields found; before, each came out `share`.
#[test]
fn a_page_turned_any_right_angle_is_still_read() {
    let page = image::open(fixtures().join("text/prescription_should_block.jpg")).unwrap().to_rgb8();
    let dir = tempfile::tempdir().unwrap();
    let turned = [
        ("turned_90.jpg", image::imageops::rotate90(&page)),
        ("turned_180.jpg", image::imageops::rotate180(&page)),
        ("turned_270.jpg", image::imageops::rotate270(&page)),
    ];
    for (name, pixels) in &turned {
        pixels.save(dir.path().join(name)).unwrap();
    }
    let out = medscrub()
        .args(["scan", "--format=json", "-j", "2"])
        .args(turned.iter().map(|(name, _)| dir.path().join(name)))
        .output()
        .unwrap();
    for report in json_lines(&out.stdout) {
        assert_eq!(report["verdict"], "block", "{report}");
        let found = rules(&report);
        for rule in ["doc.medical-record", "text.mrn"] {
            assert!(found.contains(rule), "{rule} not in {found:?}: {}", report["path"]);
        }
    }
}
