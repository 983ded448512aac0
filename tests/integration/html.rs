//! `--report FILE`: one self-contained HTML file, checked as text (escaping, no external
//! references, owner-only) and as a picture (headless Chromium renders it).

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;
use std::process::Command;

/// Renders `html` with headless Chromium and returns the screenshot.
fn screenshot(html: &Path, dir: &Path) -> image::RgbImage {
    let png = dir.join("shot.png");
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2000"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect(
            "chromium is not installed: run scripts/bootstrap (it installs the Debian package `chromium`)",
        );
    assert!(png.exists(), "chromium wrote no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    image::open(&png).expect("screenshot decodes").to_rgb8()
}

/// Pixels within a small distance of `rgb`.
fn count_near(img: &image::RgbImage, rgb: [u8; 3]) -> usize {
    img.pixels().filter(|p| (0..3).all(|i| (p[i] as i32 - rgb[i] as i32).abs() <= 12)).count()
}

#[test]
fn the_report_is_self_contained_escaped_owner_only_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("<img src=x onerror=alert(1)>.jpg");
    std::fs::copy(fixtures().join("photos/gps_only.jpg"), &hostile).unwrap();
    let report = dir.path().join("report.html");
    medscrub()
        .args(["scan", "--format", "html", "--report"])
        .arg(&report)
        .args(["photos/clean.jpg", "text/wristband_should_redact.jpg", "broken/truncated.jpg"])
        .arg(&hostile)
        .assert()
        .code(3)
        .stdout(predicate::str::starts_with("4 photos: 1 share · 1 strip · 1 redact · 1 block ("));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report describes patients' photos: owner-only");
    }
    let html = std::fs::read_to_string(&report).unwrap();
    for external in ["http://", "https://", "src=\"//", "href=\""] {
        assert!(!html.contains(external), "{external} in the report");
    }
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.jpg"));
    assert!(!html.contains("<img src=x"), "file names are escaped");
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("src=\"data:image/jpeg;base64,").count(), 3, "the blocked photo is not shown");
    assert!(html.contains("could not be decoded"));
    assert!(html.matches("class=\"box\"").count() >= 4, "the wristband's identifiers are boxed");
    assert!(html.contains("text.mrn") && html.contains("HIPAA"), "rules and citations");
    assert!(!html.contains("8360352378"), "identifiers stay masked");

    let shot = screenshot(&report, dir.path());
    let (w, h) = shot.dimensions();
    assert!(w >= 1000 && h >= 1000, "{w}×{h}");
    let mean: f64 = shot.pixels().map(|p| p[1] as f64).sum::<f64>() / (w * h) as f64;
    let var: f64 = shot.pixels().map(|p| (p[1] as f64 - mean).powi(2)).sum::<f64>() / (w * h) as f64;
    assert!(var > 500.0, "the page is not blank (variance {var:.0})");
    // Verdict badges in their colours: share, redact, block.
    for (name, rgb) in
        [("share", [0x1b, 0x7f, 0x3b]), ("redact", [0x6a, 0x2c, 0x91]), ("block", [0xc0, 0x18, 0x2b])]
    {
        let n = count_near(&shot, rgb);
        assert!(n > 200, "{name} badge colour: {n} pixels");
    }
    // The yellow finding boxes over the thumbnail.
    assert!(count_near(&shot, [0xff, 0xd4, 0x00]) > 200, "finding boxes drawn");
}

#[test]
fn clean_reports_what_was_written_and_html_needs_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.html");
    medscrub()
        .args(["clean", "photos/gps_only.jpg", "--out"])
        .arg(dir.path().join("safe"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("STRIP  photos/gps_only.jpg"));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("→ wrote ") && html.contains("metadata stripped"), "{html}");
    medscrub()
        .args(["scan", "--format", "html", "photos/clean.jpg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --report FILE"));
}
