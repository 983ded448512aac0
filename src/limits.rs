//! Resource limits: what one photo may cost (bytes, pixels, memory, time). Every stage
//! that can take long or allocate much reads these; the CLI fills them in through
//! `AnalysisOptions`. Hitting one is `error.limits`, never a crash.

use crate::error::{Error, Result, Stage};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Resource limits that keep hostile files from exhausting the machine. Hitting one
/// is a `block` with `error.limits`, never a crash.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file read, in bytes. Default: 256 MiB.
    pub max_file_bytes: u64,
    /// Largest image decoded, in pixels (width × height). Default: 150 million.
    pub max_pixels: u64,
    /// Largest single allocation a decoder may make, in bytes. Default: 1 GiB. With
    /// the pixel cap this bounds memory: a photo needs about 4 × pixels bytes decoded,
    /// plus a few grey working copies for text search.
    pub max_alloc_bytes: u64,
    /// Longest a photo may take, analysis and cleaning together. Default: 120 s (a
    /// 12 MP photo takes under 10 s on one core). Checked between stages and between
    /// OCR passes, so a photo over it stops within one pass.
    pub max_time: Duration,
    /// The decoded pixels of every photo in flight, together, stay within
    /// `max_alloc_bytes`: one budget for the whole run, shared by every clone of these
    /// limits (with `--jobs 6`, six photos each under the limit used six times it).
    pub memory: Arc<MemoryBudget>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_pixels: 150_000_000,
            max_alloc_bytes: 1024 * 1024 * 1024,
            max_time: Duration::from_secs(120),
            memory: Arc::default(),
        }
    }
}

/// Memory reserved for decoded pictures across all the photos of a run. A decode
/// reserves what its pixels need before allocating them and keeps the [`Reservation`]
/// as long as the pixels live (the photo's analysis and cleaning); a photo that does not
/// fit waits until others release theirs. A photo alone always gets its reservation (the
/// per-photo limit has refused larger ones already), so a run never stalls.
#[derive(Debug, Default)]
pub struct MemoryBudget {
    reserved: Mutex<u64>,
    released: Condvar,
}

/// Bytes reserved in a [`MemoryBudget`]; given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    budget: Arc<MemoryBudget>,
    bytes: u64,
    /// How long the photo waited for other photos to release memory.
    pub waited: Duration,
}

impl MemoryBudget {
    /// Reserves `bytes` of at most `limit` in all, waiting while other photos hold too
    /// much; gives up with `error.limits` when `deadline` passes while waiting.
    pub fn reserve(self: &Arc<Self>, bytes: u64, limit: u64, deadline: &Deadline) -> Result<Reservation> {
        let started = Instant::now();
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        while *reserved > 0 && *reserved + bytes > limit {
            deadline
                .check("waiting for memory other photos hold (--max-memory-mb is one budget for the run)")?;
            reserved = self
                .released
                .wait_timeout(reserved, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *reserved += bytes;
        Ok(Reservation { budget: Arc::clone(self), bytes, waited: started.elapsed() })
    }

    /// Bytes reserved now.
    pub fn reserved(&self) -> u64 {
        *self.reserved.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut reserved = self.budget.reserved.lock().unwrap_or_else(|e| e.into_inner());
        *reserved = reserved.saturating_sub(self.bytes);
        self.budget.released.notify_all();
    }
}

/// The time budget of one photo. Work that can take long (OCR passes, barcode
/// searches, the redaction re-read) checks it and stops with `error.limits`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: Instant,
    limit: Duration,
}

impl Deadline {
    /// A budget of `limit` starting now.
    pub fn starting_now(limit: Duration) -> Deadline {
        Deadline { started: Instant::now(), limit }
    }

    /// No budget: for reading a photo outside a run (verifying a copy, tests, benches).
    pub fn unlimited() -> Deadline {
        Deadline { started: Instant::now(), limit: Duration::MAX }
    }

    /// Fails with `error.limits` once the budget is spent; `doing` says where.
    pub fn check(&self, doing: &str) -> Result<()> {
        if self.started.elapsed() <= self.limit {
            return Ok(());
        }
        Err(Error::new(
            Stage::Limits,
            format!(
                "took longer than the {} s limit per photo (while {doing}); raise --max-seconds to allow more",
                self.limit.as_secs_f64()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_memory_budget_is_shared_by_every_photo_of_a_run() {
        let budget = Arc::new(MemoryBudget::default());
        let forever = Deadline::unlimited();
        let first = budget.reserve(600, 1000, &forever).unwrap();
        // A second photo that does not fit waits for the first to finish.
        let waiter = {
            let budget = Arc::clone(&budget);
            std::thread::spawn(move || budget.reserve(600, 1000, &Deadline::unlimited()).unwrap())
        };
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(budget.reserved(), 600, "the second photo must not be decoding yet");
        drop(first);
        let second = waiter.join().unwrap();
        assert!(second.waited >= Duration::from_millis(250), "{:?}", second.waited);
        assert_eq!(budget.reserved(), 600);
        // Near miss: photos that fit together do not wait.
        let small = budget.reserve(400, 1000, &forever).unwrap();
        assert!(small.waited < Duration::from_millis(100));
        drop((second, small));
        assert_eq!(budget.reserved(), 0);
        // A photo alone always fits (the per-photo limit is checked before); a wait
        // past the deadline is error.limits.
        let big = budget.reserve(5000, 1000, &forever).unwrap();
        let spent = Deadline::starting_now(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        let e = budget.reserve(10, 1000, &spent).unwrap_err();
        assert_eq!(e.stage, Stage::Limits);
        assert!(e.message.contains("waiting for memory"), "{}", e.message);
        drop(big);
    }

    #[test]
    fn a_spent_deadline_is_a_limits_error_saying_where() {
        assert!(Deadline::starting_now(Duration::from_secs(60)).check("reading text").is_ok());
        let spent = Deadline::starting_now(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        let e = spent.check("reading text").unwrap_err();
        assert_eq!(e.stage, Stage::Limits);
        assert!(e.message.contains("while reading text"), "{}", e.message);
    }
}
