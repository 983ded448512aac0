//! Crash safety and data safety, end to end with the real binary: a panic stays in its
//! photo, `kill -9` never leaves a partial copy, a full disk is a clear error, inputs
//! are only ever read, limits block instead of crashing, and medscrub opens no network
//! connection.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SOME_PHOTOS: [&str; 8] = [
    "clean.jpg",
    "phone_full_metadata.jpg",
    "gps_only.jpg",
    "clean.png",
    "text_chunks.png",
    "exif_xmp.webp",
    "comment.gif",
    "camera.tiff",
];

/// A private inbox holding copies of some fixtures.
fn inbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in SOME_PHOTOS {
        std::fs::copy(fixtures().join("photos").join(name), dir.path().join(name)).unwrap();
    }
    dir
}

fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

/// Every file under `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()))
        .collect()
}

fn is_our_temp(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    name.starts_with(".medscrub-") && name.ends_with(".tmp")
}

#[test]
fn a_panic_in_one_photo_blocks_that_photo_only() {
    let out = medscrub()
        .env("MEDSCRUB_DEBUG_PANIC_ON", "gps_only.jpg")
        .args([
            "scan",
            "--format",
            "json",
            "photos/clean.jpg",
            "photos/gps_only.jpg",
            "photos/datetime_only.jpg",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "a crashed photo makes the run exit 3");
    let reports = by_path(json_lines(&out.stdout));
    assert_eq!(reports.len(), 3, "the run went on after the panic");
    let crashed = &reports["photos/gps_only.jpg"];
    assert_eq!(crashed["verdict"], "block");
    assert_eq!(rule_ids(crashed), ["error.internal"]);
    assert!(crashed["error"].as_str().unwrap().contains("photos/gps_only.jpg"));
    assert_eq!(reports["photos/clean.jpg"]["verdict"], "share");
    assert_eq!(rule_ids(&reports["photos/datetime_only.jpg"]), ["meta.datetime"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("internal error") && stderr.contains("the run goes on"), "{stderr}");
}

#[test]
fn read_only_originals_are_read_and_never_changed() {
    use std::os::unix::fs::PermissionsExt;
    let inbox = inbox();
    for p in files_under(inbox.path()) {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(inbox.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = hashes(inbox.path());
    let out = tempfile::tempdir().unwrap();
    medscrub().arg("clean").arg(inbox.path()).arg("--out").arg(out.path()).assert().success();
    assert_eq!(files_under(out.path()).len(), SOME_PHOTOS.len());
    assert_eq!(hashes(inbox.path()), before);
    for p in files_under(inbox.path()) {
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o444, "{}", p.display());
    }
    std::fs::set_permissions(inbox.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_no_partial_file() {
    // RLIMIT_FSIZE makes every write past 16 KiB fail the way a full disk does (EFBIG
    // instead of ENOSPC), without needing a small file system.
    let out = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("medscrub");
    let script = format!(
        "trap '' XFSZ; ulimit -f 32; exec '{}' clean --format json photos/phone_full_metadata.jpg photos/gps_only.jpg --out '{}'",
        bin.display(),
        out.path().display()
    );
    let result =
        assert_cmd::Command::new("sh").arg("-c").arg(script).current_dir(fixtures()).output().unwrap();
    assert_eq!(result.status.code(), Some(3));
    let reports = by_path(json_lines(&result.stdout));
    let big = &reports["photos/phone_full_metadata.jpg"];
    let error = big["error"].as_str().unwrap();
    assert!(error.contains("photos/phone_full_metadata.jpg") && error.contains("cannot write"), "{error}");
    assert!(big["output"].is_null());
    // The small photo fit under the limit and was written whole.
    assert_eq!(reports["photos/gps_only.jpg"]["action"], "stripped");
    let left: Vec<PathBuf> = files_under(out.path());
    assert_eq!(left, [out.path().join("gps_only.jpg")], "only the finished copy, no temp or partial file");
}

#[test]
fn kill_9_during_clean_never_leaves_a_partial_copy_and_a_rerun_finishes_the_job() {
    let inbox = inbox();
    let reference = tempfile::tempdir().unwrap();
    let full = medscrub().arg("clean").arg(inbox.path()).arg("--out").arg(reference.path()).output().unwrap();
    let expected = contents(reference.path());
    assert!(expected.len() >= 6, "the reference run wrote {} copies", expected.len());
    let bin = assert_cmd::cargo::cargo_bin("medscrub");
    let originals = hashes(inbox.path());
    // Kill points spread over the run, deterministic: 15 ms to ~1.5 s.
    for trial in 0..12u64 {
        let out = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(&bin)
            .arg("clean")
            .arg(inbox.path())
            .arg("--out")
            .arg(out.path())
            .arg("--quiet")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(15 + trial * trial * 10));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Whatever is there under a final name is a complete, correct copy.
        for (rel, bytes) in contents(out.path()) {
            if is_our_temp(&rel) {
                continue;
            }
            assert_eq!(
                Some(&bytes),
                expected.get(&rel),
                "trial {trial}: {} is partial or wrong",
                rel.display()
            );
        }
        // Age the leftovers so the rerun knows no live run owns them.
        for p in files_under(out.path()).into_iter().filter(|p| is_our_temp(p)) {
            let status =
                std::process::Command::new("touch").args(["-d", "1 hour ago"]).arg(&p).status().unwrap();
            assert!(status.success());
        }
        let rerun = medscrub().arg("clean").arg(inbox.path()).arg("--out").arg(out.path()).output().unwrap();
        assert_eq!(
            rerun.status.code(),
            full.status.code(),
            "trial {trial}: {}",
            String::from_utf8_lossy(&rerun.stdout)
        );
        assert_eq!(contents(out.path()), expected, "trial {trial}: after the rerun");
        assert_eq!(hashes(inbox.path()), originals, "trial {trial}: an original changed");
    }
}

#[test]
fn a_rerun_keeps_identical_copies_and_reports_them() {
    let inbox = inbox();
    let out = tempfile::tempdir().unwrap();
    let first = medscrub().arg("clean").arg(inbox.path()).arg("--out").arg(out.path()).output().unwrap();
    let again = medscrub()
        .arg("clean")
        .arg("--format")
        .arg("json")
        .arg(inbox.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(first.status.code(), again.status.code());
    let reports = json_lines(&again.stdout);
    let kept = reports
        .iter()
        .filter(|r| r["notes"].to_string().contains("identical copy was already there"))
        .count();
    let written = reports.iter().filter(|r| !r["output"].is_null()).count();
    assert!(written >= 6 && kept == written, "{kept} of {written}");
}

#[test]
fn a_link_inside_the_output_folder_is_never_written_through() {
    let inbox = inbox();
    let outside = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir(inbox.path().join("sub")).unwrap();
    std::fs::copy(fixtures().join("photos/gps_only.jpg"), inbox.path().join("sub/gps.jpg")).unwrap();
    std::os::unix::fs::symlink(outside.path(), out.path().join("sub")).unwrap();
    let result = medscrub()
        .arg("clean")
        .arg("--format")
        .arg("json")
        .arg(inbox.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(3));
    let report = json_lines(&result.stdout)
        .into_iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("sub/gps.jpg"))
        .unwrap();
    assert!(report["error"].as_str().unwrap().contains("symbolic link"), "{}", report["error"]);
    assert!(files_under(outside.path()).is_empty(), "a file escaped through the link");
}

#[test]
fn hitting_the_time_limit_blocks_with_error_limits() {
    let out = medscrub()
        .args(["scan", "--format", "json", "--max-seconds", "0", "photos/clean.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(rule_ids(report), ["error.limits"]);
    let error = report["error"].as_str().unwrap();
    assert!(error.contains("photos/clean.jpg") && error.contains("--max-seconds"), "{error}");
}

#[test]
fn a_named_pipe_is_refused_before_it_is_opened() {
    // Opening a FIFO for reading waits for a writer that never comes: scan, check and
    // clean all hung on one. Each must refuse it at once, naming the file.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("IMG_0001.jpg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let out_dir = dir.path().join("out");
    let runs: [Vec<&std::ffi::OsStr>; 3] = [
        vec!["scan".as_ref(), "--format".as_ref(), "json".as_ref(), fifo.as_os_str()],
        vec!["check".as_ref(), "--format".as_ref(), "json".as_ref(), fifo.as_os_str()],
        vec![
            "clean".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            "--out".as_ref(),
            out_dir.as_os_str(),
            fifo.as_os_str(),
        ],
    ];
    for args in runs {
        let out = medscrub().args(&args).timeout(Duration::from_secs(60)).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let report = &json_lines(&out.stdout)[0];
        assert_eq!(rule_ids(report), ["error.intake"], "{args:?}");
        let error = report["error"].as_str().unwrap();
        assert!(error.contains("IMG_0001.jpg") && error.contains("named pipe"), "{error}");
    }
    assert!(!out_dir.join("IMG_0001.jpg").exists(), "a copy of a pipe was written");
}

#[test]
fn the_memory_limit_is_one_budget_for_the_whole_run() {
    // Three lossless WebPs of 9 MP (27 MB of pixels each) with room for one at a time:
    // with --jobs 3 they used to decode side by side, each under the per-photo limit.
    use image::ImageEncoder;
    let dir = tempfile::tempdir().unwrap();
    let pixels = vec![200u8; 3000 * 3000 * 3];
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(&pixels, 3000, 3000, image::ExtendedColorType::Rgb8)
        .unwrap();
    let names = ["a.webp", "b.webp", "c.webp"];
    for name in names {
        std::fs::write(dir.path().join(name), &webp).unwrap();
    }
    let out = medscrub()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--jobs", "3", "--max-memory-mb", "40"])
        .args(names)
        .timeout(Duration::from_secs(600))
        .output()
        .unwrap();
    let reports = json_lines(&out.stdout);
    assert_eq!(reports.len(), 3);
    for r in &reports {
        assert_eq!(r["verdict"], "share", "{}: {}", r["path"], r["findings"]);
    }
    let waited = reports
        .iter()
        .filter(|r| r["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("waited")))
        .count();
    assert!(waited >= 1, "no photo waited for memory: {reports:?}");
}

#[test]
fn the_memory_limit_blocks_with_error_limits() {
    let out = medscrub()
        .args(["scan", "--format", "json", "--max-memory-mb", "1", "text/menu_should_share.jpg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report = &json_lines(&out.stdout)[0];
    assert_eq!(rule_ids(report), ["error.limits"], "{}", report["error"]);
}

#[test]
fn medscrub_opens_no_network_connection() {
    // strace (installed by scripts/bootstrap) lists every socket call of the process
    // and its children, OCR and barcode libraries included.
    let log = tempfile::NamedTempFile::new().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("medscrub");
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("strace")
        .args(["-f", "-e", "trace=socket,connect,sendto,bind", "-o"])
        .arg(log.path())
        .arg(&bin)
        .args(["clean", "--quiet", "photos", "text", "--out"])
        .arg(out.path())
        .current_dir(fixtures())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("strace is installed by scripts/bootstrap");
    assert!(status.code().is_some());
    let trace = std::fs::read_to_string(log.path()).unwrap();
    assert!(trace.contains("+++ exited"), "strace recorded nothing: {trace}");
    let network: Vec<&str> = trace
        .lines()
        .filter(|l| ["socket(", "connect(", "sendto(", "bind("].iter().any(|c| l.contains(c)))
        .collect();
    assert!(network.is_empty(), "network calls: {network:#?}");
}

/// A scan writes nothing anywhere: not in the folder it runs in, not under HOME. (The
/// ONNX Runtime library of newer PyPI wheels wrote a telemetry session file into the
/// working directory and a device id under ~/.cache; scripts/install-models pins one
/// that does not.)
#[test]
fn a_scan_writes_nothing_to_its_folder_or_home() {
    let (cwd, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let bin = assert_cmd::cargo::cargo_bin("medscrub");
    let status = std::process::Command::new(&bin)
        .args(["scan", "--quiet"])
        .arg(fixtures().join("text/wristband_should_redact.jpg"))
        .current_dir(cwd.path())
        .env("HOME", home.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the wristband needs redacting");
    for dir in [cwd.path(), home.path()] {
        let left: Vec<_> = walkdir::WalkDir::new(dir).min_depth(1).into_iter().collect();
        assert!(left.is_empty(), "written by a scan: {left:?}");
    }
}
