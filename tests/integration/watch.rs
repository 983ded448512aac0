//! `medscrub watch` on the real binary: photos arriving in a burst, slowly, broken,
//! deleted, across restarts and crashes. Each test polls the output against a generous
//! deadline instead of sleeping for fixed times.

use crate::common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

/// A running `medscrub watch --format json`, with its output lines collected.
struct Watch {
    child: Child,
    lines: Arc<Mutex<Vec<serde_json::Value>>>,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn start(inbox: &Path, safe: &Path, extra: &[&str]) -> Watch {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("medscrub"))
            .arg("watch")
            .arg(inbox)
            .arg("--out")
            .arg(safe)
            .args(["--format", "json"])
            .args(extra)
            .env("OMP_THREAD_LIMIT", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("medscrub starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                sink.lock().unwrap().push(v);
            }
        });
        let err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Watch { child, lines, stderr }
    }

    fn reports(&self) -> Vec<serde_json::Value> {
        self.lines.lock().unwrap().clone()
    }

    /// Waits until `n` photos have been reported; panics with what was seen otherwise.
    fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let got = self.reports();
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {n} reports, got {}: {got:#?}\nstderr: {}",
                got.len(),
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_stderr(&self, needle: &str) {
        let start = Instant::now();
        while !self.stderr.lock().unwrap().contains(needle) {
            assert!(start.elapsed() < DEADLINE, "no {needle:?} in stderr: {}", self.stderr.lock().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill").args([signal, &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }

    /// SIGTERM, then the exit code.
    fn stop(self) -> (i32, String) {
        self.signal("-TERM");
        self.wait_exit()
    }

    /// The exit code and stderr once the process has exited.
    fn wait_exit(mut self) -> (i32, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads drain.
                std::thread::sleep(Duration::from_millis(100));
                let code = status.code().unwrap_or(-1);
                return (code, self.stderr.lock().unwrap().clone());
            }
            assert!(start.elapsed() < DEADLINE, "watch did not exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

struct Folders {
    _dir: tempfile::TempDir,
    inbox: PathBuf,
    safe: PathBuf,
    held: PathBuf,
}

fn folders() -> Folders {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let safe = dir.path().join("safe");
    let held = dir.path().join("held");
    Folders { inbox, safe, held, _dir: dir }
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// Files a person would see in SAFE: everything but the journal.
fn visible(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return vec![];
    }
    files_under(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .filter(|p| p != ".medscrub-journal")
        .collect()
}

fn journal(safe: &Path) -> Vec<serde_json::Value> {
    json_lines(&std::fs::read(safe.join(".medscrub-journal")).unwrap())
}

fn name_of(report: &serde_json::Value) -> String {
    Path::new(report["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned()
}

const BURST: [&str; 6] = [
    "photos/clean.jpg",
    "photos/gps_only.jpg",
    "photos/datetime_only.jpg",
    "photos/exif_xmp.webp",
    "photos/clean.png",
    "photos/orientation_6.jpg",
];

#[test]
fn photos_already_there_and_a_burst_are_each_handled_once() {
    let f = folders();
    std::fs::write(f.inbox.join("before.jpg"), photo("photos/phone_full_metadata.jpg")).unwrap();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_for(1);
    std::fs::create_dir(f.inbox.join("ward")).unwrap();
    for p in BURST {
        let name = Path::new(p).file_name().unwrap();
        std::fs::write(f.inbox.join("ward").join(name), photo(p)).unwrap();
    }
    let reports = w.wait_for(1 + BURST.len());
    // Let a few rescans pass: nothing is handled twice.
    std::thread::sleep(Duration::from_millis(2500));
    let (code, _) = w.stop();
    assert_eq!(code, 0);
    assert_eq!(reports.len(), 1 + BURST.len(), "{reports:#?}");
    let mut names: Vec<String> = reports.iter().map(name_of).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 1 + BURST.len());
    for r in &reports {
        assert_ne!(r["verdict"], "block", "{r:#}");
        let out = PathBuf::from(r["output"].as_str().expect("a share-safe copy"));
        assert!(out.starts_with(&f.safe), "{}", out.display());
        assert!(out.exists());
    }
    assert!(f.safe.join("ward/gps_only.jpg").exists(), "folders are mirrored");
    // The originals are left as they were.
    assert_eq!(std::fs::read(f.inbox.join("ward/gps_only.jpg")).unwrap(), photo("photos/gps_only.jpg"));
    assert_eq!(journal(&f.safe).len(), 1 + BURST.len());
}

#[test]
fn a_file_written_slowly_is_handled_once_when_complete() {
    let f = folders();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    let bytes = photo("photos/phone_full_metadata.jpg");
    let mut file = std::fs::File::create(f.inbox.join("slow.jpg")).unwrap();
    for chunk in bytes.chunks(bytes.len() / 8 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(file);
    let reports = w.wait_for(1);
    std::thread::sleep(Duration::from_millis(2500));
    let reports_after = w.reports();
    w.stop();
    assert_eq!(reports_after.len(), 1, "handled exactly once: {reports_after:#?}");
    let r = &reports[0];
    assert_eq!(r["verdict"], "strip", "complete, not truncated: {r:#}");
    assert_eq!(r["bytes"], bytes.len());
}

#[test]
fn a_writer_pausing_longer_than_the_settle_time_is_waited_for() {
    let f = folders();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    let bytes = photo("photos/gps_only.jpg");
    let (head, tail) = bytes.split_at(bytes.len() / 2);
    let mut file = std::fs::File::create(f.inbox.join("paused.jpg")).unwrap();
    file.write_all(head).unwrap();
    file.flush().unwrap();
    // Long enough to look settled (0.5 s) and be read as truncated; shorter than the
    // patience given to a file that reads as cut short (5 s).
    std::thread::sleep(Duration::from_millis(2000));
    file.write_all(tail).unwrap();
    drop(file);
    let reports = w.wait_for(1);
    std::thread::sleep(Duration::from_millis(2500));
    let all = w.reports();
    w.stop();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(reports[0]["verdict"], "strip", "{:#}", reports[0]);
}

#[test]
fn a_corrupt_file_is_reported_and_the_watch_goes_on() {
    let f = folders();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    std::fs::write(f.inbox.join("bad.jpg"), photo("broken/truncated.jpg")).unwrap();
    let first = w.wait_for(1);
    std::fs::write(f.inbox.join("good.jpg"), photo("photos/gps_only.jpg")).unwrap();
    let reports = w.wait_for(2);
    let (code, _) = w.stop();
    assert_eq!(code, 0);
    let bad = &first[0];
    assert_eq!(bad["verdict"], "block");
    assert!(bad["error"].as_str().unwrap().contains("bad.jpg"), "{bad:#}");
    assert!(bad["output"].is_null());
    assert_eq!(reports[1]["verdict"], "strip");
    assert_eq!(visible(&f.safe), ["good.jpg"], "a blocked photo never reaches SAFE");
}

#[test]
fn blocked_photos_are_held_and_move_removes_only_what_was_stored() {
    let f = folders();
    let held = f.held.to_str().unwrap();
    std::fs::write(f.inbox.join("bad.jpg"), photo("broken/truncated.jpg")).unwrap();
    std::fs::write(f.inbox.join("good.jpg"), photo("photos/gps_only.jpg")).unwrap();
    let w = Watch::start(&f.inbox, &f.safe, &["--blocked", held, "--move"]);
    w.wait_for(2);
    w.stop();
    assert_eq!(visible(&f.safe), ["good.jpg"]);
    assert_eq!(std::fs::read(f.held.join("bad.jpg")).unwrap(), photo("broken/truncated.jpg"));
    assert_eq!(visible(&f.inbox), Vec::<String>::new(), "both originals were stored, so both moved");

    // Without --blocked a blocked original has nowhere else to be: it stays.
    let g = folders();
    std::fs::write(g.inbox.join("bad.jpg"), photo("broken/truncated.jpg")).unwrap();
    let w = Watch::start(&g.inbox, &g.safe, &["--move"]);
    w.wait_for(1);
    w.stop();
    assert_eq!(visible(&g.inbox), ["bad.jpg"]);
    assert_eq!(visible(&g.safe), Vec::<String>::new());
}

#[test]
fn a_file_deleted_before_it_settles_is_not_handled() {
    let f = folders();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    let gone = f.inbox.join("gone.jpg");
    std::fs::write(&gone, photo("photos/gps_only.jpg")).unwrap();
    std::fs::remove_file(&gone).unwrap();
    std::fs::write(f.inbox.join("kept.jpg"), photo("photos/clean.jpg")).unwrap();
    let reports = w.wait_for(1);
    std::thread::sleep(Duration::from_millis(2500));
    let all = w.reports();
    w.stop();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(name_of(&reports[0]), "kept.jpg");
}

#[test]
fn a_restart_handles_nothing_twice_even_renamed() {
    let f = folders();
    for p in &BURST[..3] {
        std::fs::write(f.inbox.join(Path::new(p).file_name().unwrap()), photo(p)).unwrap();
    }
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_for(3);
    let (code, stderr) = w.stop();
    assert_eq!(code, 0);
    assert!(stderr.contains("medscrub: stopped; 3 photos"), "{stderr}");

    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("3 photos handled before");
    // The first scan is done (the banner prints before it): what arrives now is new, and a
    // copy of a handled photo is reported as one, not taken for a file there at start.
    w.wait_stderr("medscrub: ready (3 files in the inbox at start)");
    // The same content under a new name, then a new photo.
    std::fs::copy(f.inbox.join("clean.jpg"), f.inbox.join("renamed copy.jpg")).unwrap();
    w.wait_stderr("renamed copy.jpg has the same content as a photo handled before");
    std::fs::write(f.inbox.join("new.png"), photo("photos/clean.png")).unwrap();
    let reports = w.wait_for(1);
    std::thread::sleep(Duration::from_millis(2500));
    let all = w.reports();
    w.stop();
    assert_eq!(all.len(), 1, "only the new photo: {all:#?}");
    assert_eq!(name_of(&reports[0]), "new.png");
    assert_eq!(journal(&f.safe).len(), 4);
    assert_eq!(visible(&f.safe).len(), 4, "{:?}", visible(&f.safe));
}

#[test]
fn kill_9_mid_batch_loses_nothing_duplicates_nothing_and_leaves_no_partial_file() {
    let f = folders();
    let batch = [
        "photos/phone_full_metadata.jpg",
        "photos/text_chunks.png",
        "photos/camera.tiff",
        "photos/comment.gif",
        "photos/fresh_thumbnail.jpg",
        "photos/extended_xmp.jpg",
        "photos/vendor_segments.jpg",
        "photos/icc_only.jpg",
        "photos/progressive_com_after_sos.jpg",
        "photos/phone.heic",
    ];
    for p in batch {
        std::fs::write(f.inbox.join(Path::new(p).file_name().unwrap()), photo(p)).unwrap();
    }
    // A stale temporary file of our own naming, as a crash inside a write leaves.
    std::fs::create_dir_all(&f.safe).unwrap();
    std::fs::write(f.safe.join(".medscrub-abc123.tmp"), b"half a photo").unwrap();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_for(2);
    w.kill9();

    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    let start = Instant::now();
    while journal(&f.safe).len() < batch.len() {
        assert!(start.elapsed() < DEADLINE, "journal: {:#?}", journal(&f.safe));
        std::thread::sleep(Duration::from_millis(100));
    }
    w.stop();
    let entries = journal(&f.safe);
    let mut shas: Vec<&str> = entries.iter().map(|e| e["sha256"].as_str().unwrap()).collect();
    shas.sort();
    shas.dedup();
    assert_eq!(shas.len(), batch.len(), "each photo journalled once: {entries:#?}");
    // Exactly one complete copy per photo, named as `clean` names it, nothing else.
    let reference = tempfile::tempdir().unwrap();
    medscrub().arg("clean").args(batch).arg("--out").arg(reference.path()).assert().code(0);
    let want = visible(reference.path());
    assert_eq!(visible(&f.safe), want, "no temp files, no partial or duplicate copies");
    for name in want {
        assert_eq!(
            std::fs::read(f.safe.join(&name)).unwrap(),
            std::fs::read(reference.path().join(&name)).unwrap(),
            "{name} is complete"
        );
    }
}

#[test]
fn sigint_and_sigterm_exit_cleanly_and_out_inside_inbox_is_refused() {
    let f = folders();
    let w = Watch::start(&f.inbox, &f.safe, &[]);
    w.wait_stderr("watching");
    w.signal("-INT");
    let (code, stderr) = w.wait_exit();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("medscrub: stopped; 0 photos"), "{stderr}");

    let inside = f.inbox.join("safe");
    let out = Command::new(assert_cmd::cargo::cargo_bin!("medscrub"))
        .arg("watch")
        .arg(&f.inbox)
        .arg("--out")
        .arg(&inside)
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be separate folders"));
}

#[test]
fn on_a_terminal_the_status_line_names_the_photo_and_the_step_it_is_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("inbox")).unwrap();
    let term = Terminal::start_in(dir.path(), dir.path(), "", "watch inbox --out safe");
    term.wait_for("medscrub: ready", 1);
    // A photo with text: reading it takes long enough to be seen mid-way.
    std::fs::copy(fixtures().join("text/sign_should_redact.jpg"), dir.path().join("inbox/sign.jpg")).unwrap();
    let start = Instant::now();
    let mut steps_seen = std::collections::BTreeSet::new();
    loop {
        let screen = term.screen();
        for step in ["reading metadata", "decoding the picture", "looking at the scene", "reading text"]
            .into_iter()
            .chain(["applying the rules", "making the share-safe copy"])
        {
            if screen.contains(&format!("checking inbox/sign.jpg: {step}")) {
                steps_seen.insert(step);
            }
        }
        if screen.contains("REDACT inbox/sign.jpg") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no verdict on screen:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!steps_seen.is_empty(), "the status line never named a step");
    term.wait_for("waiting for new photos", 1);
}
