//! The real binary on the committed fixtures: verdicts, rules, exit codes, JSON, and
//! the share-safe copies `clean` writes, checked by exiftool and by decoding pixels.

use crate::common::*;
use predicates::prelude::*;
use std::collections::BTreeSet;

fn scan_json(paths: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = medscrub().arg("scan").arg("--format=json").args(paths).output().unwrap();
    (out.status.code().unwrap(), json_lines(&out.stdout))
}

#[test]
fn every_fixture_gets_its_expected_verdict_and_rules() {
    let (_, reports) = scan_json(&["photos", "broken"]);
    let reports = by_path(reports);
    let mut checked = 0;
    for (path, want) in expected() {
        if want["skip"].as_bool() == Some(true) {
            assert!(!reports.contains_key(&path), "{path} should have been skipped");
            continue;
        }
        let got = reports.get(&path).unwrap_or_else(|| panic!("no report for {path}"));
        assert_eq!(got["verdict"], want["verdict"], "{path}: {got:#}");
        // The fixtures are labelled for the metadata and error rules; text rules reading
        // the same metadata strings are scored on the eval corpus instead.
        let got_rules: BTreeSet<&str> = got["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .filter(|r| !r.starts_with("text."))
            .collect();
        let want_rules: BTreeSet<&str> =
            want["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        if want["verdict"] == "block" {
            assert!(got_rules.iter().all(|r| r.starts_with("error.")), "{path}: {got_rules:?}");
            let error = got["error"].as_str().unwrap_or_else(|| panic!("{path}: no error message"));
            assert!(error.starts_with(&path), "{path}: the error must name the file: {error}");
        } else {
            assert_eq!(got_rules, want_rules, "{path}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} fixtures checked");
}

#[test]
fn every_finding_cites_policy_clauses() {
    let (_, reports) = scan_json(&["photos/phone_full_metadata.jpg"]);
    let findings = reports[0]["findings"].as_array().unwrap();
    assert!(findings.len() >= 10);
    for f in findings {
        let cites = f["citations"].as_array().unwrap();
        assert!(!cites.is_empty(), "{f}");
        let policies: BTreeSet<&str> = cites.iter().map(|c| c["policy"].as_str().unwrap()).collect();
        // Under `strictest` every institution's reason is listed.
        assert_eq!(policies.len(), 5, "{f}");
        assert!(cites.iter().all(|c| c["source"].as_str().unwrap().ends_with(".txt")));
    }
}

#[test]
fn reports_mask_names_and_round_the_location() {
    let out = medscrub().args(["scan", "photos/phone_full_metadata.jpg"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("location ≈ 42.28, -83.74"), "{text}");
    for secret in ["42.2808", "12345678", "Jane Example", "F2LXK1234567", "Patient Doe"] {
        assert!(!text.contains(secret), "{secret} leaked into the report:\n{text}");
    }
    assert!(text.contains("taken 2025-11-20T08:15:00-05:00"), "{text}");
    let shown = medscrub().args(["scan", "--show-text", "photos/phone_full_metadata.jpg"]).output().unwrap();
    assert!(String::from_utf8(shown.stdout).unwrap().contains("F2LXK1234567"));
}

#[test]
fn exit_codes_are_stable() {
    medscrub().args(["scan", "photos/clean.jpg", "photos/clean.png", "photos/icc_only.jpg"]).assert().code(0);
    medscrub().args(["scan", "photos/clean.jpg", "photos/gps_only.jpg"]).assert().code(1);
    medscrub().args(["scan", "photos/gps_only.jpg", "broken/zero_byte.jpg"]).assert().code(3);
    medscrub()
        .args(["scan", "no/such/photo.jpg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/photo.jpg"));
    medscrub()
        .args(["scan", "--policy", "nope", "photos"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("strictest"));
    medscrub().arg("scan").assert().code(2);
}

/// An unusable --report folder is found before any photo is scanned, not after.
#[test]
fn a_report_folder_that_does_not_exist_is_refused_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("missing/report.html");
    medscrub()
        .args(["scan", "photos/clean.jpg", "--report"])
        .arg(&report)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("--report: the folder").and(predicate::str::contains("does not exist")),
        );
}

/// A typo in one path of a batch does not stop the batch: that path is reported as
/// its own error ("could not be checked", never `share`), the others are checked.
#[test]
fn a_missing_path_among_others_is_reported_and_the_rest_checked() {
    let (code, reports) = scan_json(&["no/such/photo.jpg", "photos/clean.jpg"]);
    assert_eq!(code, 3);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["verdict"], "block");
    assert!(reports[0]["error"].as_str().unwrap().contains("no/such/photo.jpg"), "{}", reports[0]);
    assert_eq!(reports[1]["verdict"], "share");
    medscrub()
        .args(["scan", "no/such/photo.jpg", "photos/clean.jpg"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("BLOCK  no/such/photo.jpg  (could not be checked: nothing leaves)"))
        .stdout(predicate::str::contains("SHARE  photos/clean.jpg"));
}

#[test]
fn broken_files_block_with_a_clear_error_and_the_run_goes_on() {
    let (code, reports) = scan_json(&["broken", "photos/clean.jpg"]);
    assert_eq!(code, 3);
    let reports = by_path(reports);
    assert_eq!(reports["photos/clean.jpg"]["verdict"], "share");
    let err = |p: &str| reports[p]["error"].as_str().unwrap().to_string();
    assert!(err("broken/zero_byte.jpg").contains("empty file"), "{}", err("broken/zero_byte.jpg"));
    assert!(err("broken/truncated.jpg").contains("truncated"));
    assert!(err("broken/truncated.png").contains("truncated"));
    assert!(err("broken/not_an_image.jpg").contains("text file"));
    assert!(err("broken/bomb_dimensions.png").contains("limit"), "{}", err("broken/bomb_dimensions.png"));
    assert!(err("broken/bomb_dimensions.jpg").contains("limit"), "{}", err("broken/bomb_dimensions.jpg"));
    for r in reports.values().filter(|r| r["path"].as_str().unwrap().starts_with("broken/")) {
        assert_eq!(r["verdict"], "block");
    }
}

#[test]
fn json_lines_schema_is_stable() {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Report {
        schema_version: u32,
        path: String,
        format: Option<String>,
        sha256: Option<String>,
        bytes: Option<u64>,
        width: Option<u32>,
        height: Option<u32>,
        verdict: String,
        policy: String,
        findings: Vec<Finding>,
        capture_time: Option<CaptureTime>,
        output: Option<String>,
        action: Option<String>,
        notes: Vec<String>,
        error: Option<String>,
        consent: Option<serde_json::Value>,
        timings: Timings,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Finding {
        rule: String,
        source: String,
        remedy: String,
        summary: String,
        details: Vec<String>,
        bbox: Option<serde_json::Value>,
        confidence: f32,
        citations: Vec<Citation>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Citation {
        policy: String,
        source: String,
        clause: String,
        paraphrase: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct CaptureTime {
        value: String,
        source: String,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Timings {
        read_ms: f64,
        metadata_ms: f64,
        decode_ms: f64,
        scene_ms: f64,
        text_ms: f64,
        rules_ms: f64,
        action_ms: f64,
    }
    let out = medscrub().args(["scan", "--format=json", "photos", "broken"]).output().unwrap();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let r: Report = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(r.schema_version, 1);
    }
}

#[test]
fn output_order_is_deterministic_whatever_the_jobs() {
    let strip_timings = |out: Vec<u8>| -> Vec<serde_json::Value> {
        json_lines(&out)
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("timings");
                r
            })
            .collect()
    };
    let one = medscrub().args(["scan", "--format=json", "--jobs=1", "photos", "broken"]).output().unwrap();
    let four = medscrub().args(["scan", "--format=json", "--jobs=4", "photos", "broken"]).output().unwrap();
    let (one, four) = (strip_timings(one.stdout), strip_timings(four.stdout));
    assert_eq!(one, four);
    let paths: Vec<&str> = one.iter().map(|r| r["path"].as_str().unwrap()).collect();
    let mut sorted_within_roots = paths.clone();
    sorted_within_roots.sort_by_key(|p| (!p.starts_with("photos/"), p.to_string()));
    assert_eq!(paths.len(), sorted_within_roots.len());
}

#[test]
fn junk_files_are_skipped_with_a_note() {
    medscrub()
        .args(["scan", "photos"])
        .assert()
        .stderr(predicate::str::contains(
            "skipped photos/._phone_full_metadata.jpg (macOS AppleDouble resource file)",
        ))
        .stderr(predicate::str::contains(".syncthing.upload.jpg.tmp"));
}

#[test]
fn paths_from_stdin_with_spaces_and_unicode() {
    let out = medscrub()
        .args(["scan", "--format=json", "-"])
        .write_stdin("photos/Ward rounds – café/ünïcode photo.jpg\nphotos/clean.jpg\n")
        .output()
        .unwrap();
    let reports = json_lines(&out.stdout);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["path"], "photos/Ward rounds – café/ünïcode photo.jpg");
    assert_eq!(reports[0]["verdict"], "strip");
}

#[test]
fn a_mislabelled_file_is_handled_as_what_it_is() {
    let (_, r) = scan_json(&["photos/mislabelled_png.jpg"]);
    assert_eq!(r[0]["format"], "png");
    assert_eq!(r[0]["verdict"], "strip");
}

#[test]
fn orientation_is_applied_for_analysis() {
    let (_, r) = scan_json(&["photos/orientation_6.jpg", "photos/orientation_8.jpg"]);
    for report in r {
        assert_eq!((report["width"].as_u64(), report["height"].as_u64()), (Some(300), Some(400)), "{report}");
    }
}

#[test]
fn policies_lists_and_explains_rules() {
    medscrub()
        .arg("policies")
        .assert()
        .success()
        .stdout(predicate::str::contains("michigan-medicine"))
        .stdout(predicate::str::contains("meta.trailer"));
    medscrub()
        .args(["policies", "meta.datetime"])
        .assert()
        .success()
        .stdout(predicate::str::contains("time stamp or location data"))
        .stdout(predicate::str::contains("timing of the case"));
    medscrub().args(["policies", "meta.nope"]).assert().code(2);
    // A profile lists the marks brand.logo-text looks for, and only its own.
    medscrub()
        .args(["policies", "wsu"])
        .assert()
        .success()
        .stdout(predicate::str::contains("marks (brand.logo-text): \"Wayne State University\""))
        .stdout(predicate::str::contains("Nottingham").not());
}

#[test]
fn profiles_change_citations_not_safety() {
    let (_, r) = scan_json(&["--policy=nottingham", "photos/gps_only.jpg", "broken/truncated.jpg"]);
    let cites = r[0]["findings"][0]["citations"].as_array().unwrap();
    assert!(cites.iter().all(|c| c["policy"] == "nottingham"));
    assert_eq!(r[1]["verdict"], "block");
}

#[test]
fn help_teaches_exit_codes_and_examples() {
    medscrub()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains("medscrub clean"));
}

#[test]
fn resource_limits_block_with_error_limits() {
    let (code, r) = scan_json(&["--max-file-mb=0", "photos/clean.jpg"]);
    assert_eq!(code, 3);
    assert_eq!(r[0]["findings"][0]["rule"], "error.limits");
    assert!(r[0]["error"].as_str().unwrap().contains("over the limit"));
    let (code, r) = scan_json(&["--max-megapixels=0", "photos/clean.jpg"]);
    assert_eq!(code, 3);
    assert_eq!(r[0]["findings"][0]["rule"], "error.limits");
}

#[test]
fn text_output_explains_each_finding_with_citations() {
    medscrub()
        .args(["scan", "photos/gps_only.jpg"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("STRIP  photos/gps_only.jpg"))
        .stdout(predicate::str::contains("meta.gps        location ≈ 42.28, -83.74"))
        .stdout(predicate::str::contains(
            "why: the policies of umms, umn, wsu, michigan-medicine and nottingham (--verbose: each clause)",
        ))
        .stdout(predicate::str::contains("1 photo: 0 share · 1 strip · 0 redact · 0 block"));
    // --verbose: each clause with what it says; --quiet: the findings alone.
    medscrub()
        .args(["scan", "--verbose", "photos/gps_only.jpg"])
        .assert()
        .stdout(predicate::str::contains(
            "why: umms first bullet (HIPAA): Posting information that identifies",
        ))
        .stdout(predicate::str::contains("     umn POLICY 3, second bullet: Even with identifiers removed"))
        .stdout(predicate::str::contains("the policies of").not());
    medscrub()
        .args(["scan", "--quiet", "photos/gps_only.jpg"])
        .assert()
        .stdout(predicate::str::contains("meta.gps"))
        .stdout(predicate::str::contains("why").not());
}

#[test]
fn the_caption_and_handle_are_checked_with_citations() {
    let out = medscrub()
        .args(["scan", "--format", "json", "photos/clean.jpg", "--handle", "@UMichJohn", "--caption"])
        .arg("72yo M, yesterday's case in the OR: biggest stone I've ever removed!")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "a caption problem blocks the post");
    let report = &json_lines(&out.stdout)[0];
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for id in ["caption.age", "caption.timing", "caption.trophy", "handle.brand"] {
        assert!(rules.contains(&id), "{id} missing from {rules:?}");
    }
    for f in report["findings"].as_array().unwrap() {
        assert!(!f["citations"].as_array().unwrap().is_empty(), "{f}");
    }
    // A caption about a talk, from a personal handle, is fine.
    medscrub()
        .args([
            "scan",
            "photos/clean.jpg",
            "--handle",
            "@drjane",
            "--caption",
            "Great talk at the conference today",
        ])
        .assert()
        .code(0);
}

#[test]
fn a_recent_clinical_photo_is_held_for_a_month() {
    // phone_full_metadata.jpg was taken 2025-11-20 and its description mentions a bed.
    let scan = |today: &str| {
        let out = medscrub()
            .args(["scan", "--format", "json", "--policy", "michigan-medicine", "--today", today])
            .arg("photos/phone_full_metadata.jpg")
            .output()
            .unwrap();
        json_lines(&out.stdout).remove(0)
    };
    let held = scan("2025-11-25");
    let finding =
        held["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "time.recent-case").cloned();
    let finding = finding.unwrap_or_else(|| panic!("no hold: {}", held["findings"]));
    assert!(finding["summary"].as_str().unwrap().contains("until 2025-12-20"), "{finding}");
    assert_eq!(held["verdict"], "block");
    let later = scan("2025-12-21");
    assert!(!later["findings"].to_string().contains("time.recent-case"), "{}", later["findings"]);
    // Profiles without a one-month rule do not hold it.
    let out = medscrub()
        .args([
            "scan",
            "--format",
            "json",
            "--policy",
            "umn",
            "--today",
            "2026-11-25",
            "photos/phone_full_metadata.jpg",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("time.recent-case"));
}

#[test]
fn consent_lifts_only_what_it_covers_for_its_platform_until_it_expires() {
    use sha2::Digest;
    let photo = fixtures().join("photos/phone_full_metadata.jpg");
    let hash: String =
        sha2::Sha256::digest(std::fs::read(&photo).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("consents.toml");
    std::fs::write(
        &registry,
        format!(
            "[[consent]]\nid = \"C-2025-007\"\nsha256 = \"{hash}\"\nplatforms = [\"instagram\"]\nsigned = \"2025-11-21\"\nexpires = \"2026-01-31\"\n"
        ),
    )
    .unwrap();
    let scan = |platform: &str, today: &str| {
        let out = medscrub()
            .args([
                "scan",
                "--format",
                "json",
                "--policy",
                "michigan-medicine",
                "--today",
                today,
                "--consent",
            ])
            .arg(&registry)
            .args(["--platform", platform, "photos/phone_full_metadata.jpg"])
            .output()
            .unwrap();
        json_lines(&out.stdout).remove(0)
    };
    let rules = |r: &serde_json::Value| -> Vec<String> {
        r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    // Valid: the one-month hold is lifted, the metadata findings are not.
    let ok = scan("Instagram", "2025-11-25");
    assert_eq!(ok["consent"]["id"], "C-2025-007");
    assert_eq!(ok["consent"]["lifted"], serde_json::json!(["time.recent-case"]));
    assert!(!rules(&ok).contains(&"time.recent-case".to_string()));
    assert!(rules(&ok).contains(&"meta.gps".to_string()));
    assert_eq!(ok["verdict"], "strip");
    // Another platform, or after expiry: an error, not a pass.
    for (platform, today, why) in
        [("x", "2025-11-25", "not x"), ("instagram", "2026-02-01", "expired on 2026-01-31")]
    {
        let r = scan(platform, today);
        assert_eq!(r["verdict"], "block");
        assert!(rules(&r).contains(&"error.consent".to_string()), "{:?}", rules(&r));
        assert!(r["error"].as_str().unwrap().contains(why), "{}", r["error"]);
    }
    // An entry naming no photo of the run says so; the one naming this photo (by
    // its folder and name, spelt from another folder) does not.
    let mut two = std::fs::read_to_string(&registry)
        .unwrap()
        .replace(&format!("sha256 = \"{hash}\""), "path = \"photos/phone_*.jpg\"");
    two.push_str("[[consent]]\nid = \"C-2025-008\"\npath = \"wards/IMG_0042.jpg\"\nplatforms = [\"x\"]\nsigned = \"2025-11-21\"\nexpires = \"2026-01-31\"\n");
    std::fs::write(&registry, two).unwrap();
    let absolute = fixtures().join("photos/phone_full_metadata.jpg");
    medscrub()
        .args(["scan", "--today", "2025-11-25", "--consent"])
        .arg(&registry)
        .args(["--platform", "instagram"])
        .arg(&absolute)
        .assert()
        .stderr(predicate::str::contains(
            "consent C-2025-008 (path wards/IMG_0042.jpg) names none of the photos",
        ))
        .stderr(predicate::str::contains("C-2025-007").not());
    // A broken registry stops the run before any photo (exit 2), naming the file.
    std::fs::write(&registry, "[[consent]]\nid = \"C-1\"\n").unwrap();
    medscrub()
        .args(["scan", "--consent"])
        .arg(&registry)
        .args(["--platform", "instagram", "photos/clean.jpg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("consents.toml"));
}

#[test]
fn rules_switched_off_are_said_in_every_report_they_change() {
    // --ignore with a reason: the finding is dropped, and the report says what and why.
    let out = medscrub()
        .args([
            "scan",
            "--format",
            "json",
            "--ignore",
            "meta.gps=our campus is public",
            "photos/gps_only.jpg",
        ])
        .output()
        .unwrap();
    let r = json_lines(&out.stdout).remove(0);
    assert_eq!(r["verdict"], "share");
    assert_eq!(r["switched_off"][0]["rule"], "meta.gps");
    assert_eq!(r["switched_off"][0]["reason"], "our campus is public");
    // Near miss: a photo the switch changes nothing in reports no switch.
    let out = medscrub()
        .args(["scan", "--format", "json", "--ignore", "meta.gps", "photos/clean.jpg"])
        .output()
        .unwrap();
    assert!(json_lines(&out.stdout)[0].get("switched_off").is_none());
    // medscrub.toml in the current folder: its policy and switches apply, and it says so.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("medscrub.toml"),
        "policy = \"umn\"\n[ignore]\n\"meta.gps\" = \"public campus\"\n",
    )
    .unwrap();
    let photo = fixtures().join("photos/gps_only.jpg");
    medscrub()
        .current_dir(dir.path())
        .arg("scan")
        .arg(&photo)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("using the settings in ./medscrub.toml"))
        .stdout(predicate::str::contains(
            "switched off: meta.gps (ignored, in medscrub.toml: public campus)",
        ));
    // A photo that could not be analysed stays blocked: error rules cannot be ignored.
    medscrub()
        .args(["scan", "--ignore", "error.decode", "photos/clean.jpg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error.decode cannot be switched off"));
}
