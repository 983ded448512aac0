//! The text stage end to end, with real Tesseract and rxing: a wristband photo is found,
//! explained with masked text, covered by `clean`, and the covered copy reads clean; a
//! menu full of text and prices is left alone. (fixtures/text/ comes from
//! `cargo run --release --example eval-generate -- DIR --phi 8 --benign 4`.)

mod common;

use common::*;
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
