//! `medscrub check`: one photo, one verdict, and the exit code says it.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn a_shareable_photo_exits_0_with_the_scan_report() {
    medscrub()
        .args(["check", "photos/clean.jpg"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("SHARE  photos/clean.jpg  (nothing identifying found)\n"));
}

#[test]
fn a_photo_that_needs_clean_exits_1_and_json_is_one_report() {
    let out = medscrub().args(["check", "--format", "json", "photos/gps_only.jpg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let reports = json_lines(&out.stdout);
    assert_eq!(reports.len(), 1, "exactly one object");
    let r = &reports[0];
    assert_eq!(r["path"], "photos/gps_only.jpg");
    assert_eq!(r["verdict"], "strip");
    let rules: Vec<&str> =
        r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["meta.gps"]);
    assert!(r["output"].is_null(), "check never writes");
}

#[test]
fn visible_identifiers_exit_1_as_redact() {
    let out = medscrub().args(["check", "text/wristband_should_redact.jpg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("REDACT text/wristband_should_redact.jpg"), "{text}");
    assert!(text.contains("text.mrn") && text.contains("why: "), "{text}");
}

#[test]
fn a_broken_photo_is_blocked_with_exit_3_and_an_error_naming_it() {
    let out = medscrub().args(["check", "--format=json", "broken/truncated.jpg"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["verdict"], "block");
    assert!(r["error"].as_str().unwrap().starts_with("broken/truncated.jpg: "), "{r}");
}

#[test]
fn a_policy_is_applied_and_an_unknown_one_is_a_usage_error() {
    let out = medscrub()
        .args(["check", "--format=json", "--policy", "umn", "photos/gps_only.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["policy"], "umn");
    assert!(r["findings"][0]["citations"].as_array().unwrap().iter().all(|c| c["policy"] == "umn"));
    medscrub()
        .args(["check", "--policy", "nowhere", "photos/clean.jpg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown policy"));
}

#[test]
fn a_missing_file_or_a_folder_is_a_usage_error_not_a_verdict() {
    medscrub()
        .args(["check", "photos/no_such.jpg"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("photos/no_such.jpg"));
    medscrub()
        .args(["check", "photos"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder; `check` takes one photo"));
    // Several photos: a message that says what to use instead, not clap's.
    medscrub()
        .args(["check", "photos/clean.jpg", "photos/gps_only.jpg"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("`check` takes one photo and 2 were given; `medscrub scan`"));
}
