//! Measures `medscrub watch` latency: from the moment a photo is complete in the inbox
//! (renamed into place, as sync tools do) to its verdict line on stdout. That span
//! includes the settle time (500 ms: size and mtime must hold still across two looks)
//! by design. Metadata-only photos, so OCR of a small picture is most of the work.
//!
//! `cargo run --example watch-latency [-- ROUNDS]` (build the binary first: `cargo build`)

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = root.join("target/debug/medscrub");
    let exe = std::env::var_os("MEDSCRUB").map(Into::into).unwrap_or(exe);
    let photo = std::fs::read(root.join("fixtures/photos/gps_only.jpg")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).expect("inbox");
    let mut child = Command::new(&exe)
        .arg("watch")
        .arg(&inbox)
        .arg("--out")
        .arg(dir.path().join("safe"))
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut spans = Vec::new();
    for i in 0..rounds {
        // Bytes after the image end make each copy distinct (a meta.trailer finding:
        // still metadata only), so the journal does not skip it as seen before.
        let mut bytes = photo.clone();
        bytes.extend_from_slice(format!("{i:08}").as_bytes());
        let staged = dir.path().join(format!("{i}.part"));
        std::fs::write(&staged, &bytes).expect("write");
        let start = Instant::now();
        std::fs::rename(&staged, inbox.join(format!("photo-{i}.jpg"))).expect("rename");
        let line = lines.next().expect("a verdict line").expect("utf-8");
        spans.push(start.elapsed());
        assert!(line.contains(&format!("photo-{i}.jpg")), "{line}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    spans.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "watch latency over {rounds} photos (complete → verdict): median {:.0} ms, min {:.0} ms, max {:.0} ms",
        ms(spans[rounds / 2]),
        ms(spans[0]),
        ms(spans[rounds - 1])
    );
}
