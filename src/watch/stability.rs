//! When a file being synced has stopped changing: [`Look`] (size and modification time)
//! and [`Stability`] (the same look for the settle time, longer when it looks unfinished).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// A file's size and modification time at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Look {
    /// Looks at a regular file; `None` when it is gone or not a regular file.
    pub fn of(path: &Path) -> Option<Look> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        meta.is_file().then(|| Look { len: meta.len(), modified: meta.modified().ok() })
    }
}

/// Decides when a file has stopped changing: the same [`Look`] for at least `settle`.
///
/// Times are passed in, so the rule is tested without sleeping.
#[derive(Debug)]
pub struct Stability {
    settle: Duration,
    first_seen: HashMap<PathBuf, (Look, Instant)>,
    /// Files that looked unfinished when read (see [`Stability::mark_cut_short`]).
    doubtful: HashSet<PathBuf>,
}

/// How many times longer than `settle` a file must hold still when it looks unfinished:
/// empty (a copy has just created it) or cut short (a writer that paused longer than
/// the settle time). Only then is it handled as it is, and blocked.
const PATIENCE: u32 = 10;

impl Stability {
    pub fn new(settle: Duration) -> Stability {
        Stability { settle, first_seen: HashMap::new(), doubtful: HashSet::new() }
    }

    /// Records a look at `path` taken at `now`; true once it has looked the same for at
    /// least the settle time. Any change starts the wait again.
    pub fn observe(&mut self, path: &Path, look: Look, now: Instant) -> bool {
        match self.first_seen.get(path) {
            Some((seen, since)) if *seen == look => {
                let patient = look.len == 0 || self.doubtful.contains(path);
                let wait = if patient { self.settle * PATIENCE } else { self.settle };
                now.saturating_duration_since(*since) >= wait
            }
            _ => {
                self.first_seen.insert(path.to_path_buf(), (look, now));
                false
            }
        }
    }

    /// Marks a file that was read and looked cut short: it must now hold still
    /// [`PATIENCE`] times longer. Returns whether it was marked already (then it has
    /// waited that long, and is as complete as it will get).
    pub fn mark_cut_short(&mut self, path: &Path) -> bool {
        self.first_seen.remove(path);
        !self.doubtful.insert(path.to_path_buf())
    }

    /// Forgets a file's looks (handled, or gone); `settled` also forgets any doubt.
    pub fn forget(&mut self, path: &Path, settled: bool) {
        self.first_seen.remove(path);
        if settled {
            self.doubtful.remove(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(len: u64, secs: u64) -> Look {
        Look { len, modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)) }
    }

    #[test]
    fn a_file_is_stable_after_looking_the_same_for_the_settle_time() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("a.jpg");
        assert!(!s.observe(p, look(10, 1), t0), "first look never settles");
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(200)));
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)));
    }

    #[test]
    fn a_growing_file_starts_the_wait_again() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("a.jpg");
        s.observe(p, look(10, 1), t0);
        assert!(!s.observe(p, look(20, 1), t0 + Duration::from_millis(600)), "grew");
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1200)), "touched");
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1600)));
        assert!(s.observe(p, look(20, 2), t0 + Duration::from_millis(1700)));
        s.forget(p, true);
        assert!(!s.observe(p, look(20, 2), t0 + Duration::from_millis(1800)), "forgotten");
    }

    #[test]
    fn an_empty_file_must_stay_empty_much_longer() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("new.jpg");
        s.observe(p, look(0, 1), t0);
        assert!(!s.observe(p, look(0, 1), t0 + Duration::from_secs(1)));
        assert!(s.observe(p, look(0, 1), t0 + Duration::from_secs(5)));
    }

    #[test]
    fn a_file_that_read_as_cut_short_must_hold_still_longer() {
        let mut s = Stability::new(Duration::from_millis(500));
        let t0 = Instant::now();
        let p = Path::new("paused.jpg");
        s.observe(p, look(10, 1), t0);
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)));
        assert!(!s.mark_cut_short(p), "first doubt: wait longer");
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(600)));
        assert!(!s.observe(p, look(10, 1), t0 + Duration::from_millis(1600)));
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(5600)));
        assert!(s.mark_cut_short(p), "second doubt: handle it as it is");
        s.forget(p, true);
        s.observe(p, look(10, 1), t0);
        assert!(s.observe(p, look(10, 1), t0 + Duration::from_millis(500)), "doubt forgotten");
    }
}
