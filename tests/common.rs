//! Shared helpers for the integration tests: the real binary, the committed fixtures,
//! and exiftool as an independent reader.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The real `medscrub` binary with a scrubbed environment.
pub fn medscrub() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("medscrub").expect("binary built");
    cmd.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).current_dir(fixtures());
    cmd
}

/// Runs medscrub and parses its JSON Lines output.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Reports by path.
pub fn by_path(reports: Vec<serde_json::Value>) -> BTreeMap<String, serde_json::Value> {
    reports.into_iter().map(|r| (r["path"].as_str().unwrap().to_string(), r)).collect()
}

/// The fixtures' expected outcomes (fixtures/expected.json).
pub fn expected() -> BTreeMap<String, serde_json::Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).expect("fixtures/expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

/// exiftool's view of a file: `{"Group:Tag": value}` (`exiftool -j -a -G1`).
pub fn exiftool(path: &Path) -> BTreeMap<String, serde_json::Value> {
    let out = StdCommand::new("exiftool")
        .args(["-j", "-a", "-G1", "-struct"])
        .arg(path)
        .output()
        .expect("exiftool is installed by scripts/bootstrap");
    let mut list: Vec<BTreeMap<String, serde_json::Value>> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("exiftool JSON for {}: {e}", path.display()));
    list.pop().unwrap_or_default()
}

/// Every file under `dir`, sorted.
/// `medscrub clean --format json --out OUT IN`, which must succeed: its stdout, and
/// the files written, as paths relative to `out` (`/`-separated, sorted).
pub fn clean_folder(input: &Path, out: &Path) -> (Vec<u8>, Vec<String>) {
    let run = medscrub().args(["clean", "--format", "json", "--out"]).arg(out).arg(input).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let written = files_under(out)
        .iter()
        .map(|p| p.strip_prefix(out).unwrap().to_string_lossy().into_owned())
        .collect();
    (run.stdout, written)
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walk(dir);
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// SHA-256 of every fixture, to prove the originals are never touched.
pub fn hashes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    use sha2::Digest;
    files_under(dir)
        .into_iter()
        .map(|p| {
            let h = sha2::Sha256::digest(std::fs::read(&p).unwrap()).to_vec();
            (p, h)
        })
        .collect()
}
