//! Shared helpers for the integration tests: the real binary, the committed fixtures,
//! and exiftool as an independent reader.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

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

/// A medscrub session in a private tmux server, 200×50: drop mode, watch's status line.
pub struct Terminal {
    socket: String,
}

impl Terminal {
    /// In the fixtures folder.
    pub fn start(home: &Path, args: &str) -> Terminal {
        Terminal::start_in(&fixtures(), home, "", args)
    }

    /// In the fixtures folder, with `env` (`NAME=value …`) set for medscrub.
    pub fn start_with(home: &Path, env: &str, args: &str) -> Terminal {
        Terminal::start_in(&fixtures(), home, env, args)
    }

    /// In `dir`, with `env` (`NAME=value …`) set for medscrub.
    pub fn start_in(dir: &Path, home: &Path, env: &str, args: &str) -> Terminal {
        let socket =
            format!("medscrub-test-{}-{}", std::process::id(), home.file_name().unwrap().to_string_lossy());
        let exe = assert_cmd::cargo::cargo_bin!("medscrub");
        let script = format!(
            // The shell survives Ctrl-C (a trap, reset for its child) to report the exit code.
            "trap true INT; cd '{}' && HOME='{}' OMP_THREAD_LIMIT=1 {env} '{}' {args}; echo EXIT=$?; sleep 60",
            dir.display(),
            home.display(),
            exe.display()
        );
        let ok = StdCommand::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-x", "200", "-y", "50", "-s", "t", &script])
            .status()
            .expect("tmux is installed by scripts/bootstrap");
        assert!(ok.success(), "tmux new-session");
        Terminal { socket }
    }

    pub fn keys(&self, keys: &[&str]) {
        let ok = StdCommand::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(ok.success());
    }

    pub fn screen(&self) -> String {
        let out = StdCommand::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until `needle` has appeared `times` times on the screen.
    pub fn wait_for(&self, needle: &str, times: usize) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.matches(needle).count() >= times {
                return screen;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "no {needle:?} ×{times} on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = StdCommand::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}
