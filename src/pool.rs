//! Instances of something slow to make — a model's ONNX session, a Tesseract engine —
//! shared by the threads that use them, each instance by one thread at a time.
//!
//! They used to be one per worker thread (thread-local), made during the thread's first
//! photo: a process that checks one photo paid for opening both models and starting
//! Tesseract inside that photo's time. A pool lets them be made ahead on another thread
//! while the first photo is still being read, decoded and looked at (`make_ahead`), and
//! still gives each worker one of its own: a worker takes an idle instance, waits for one
//! being made ahead, or makes its own, and gives it back when done. No more are made than
//! threads use at once.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

pub struct Pool<T> {
    state: Mutex<State<T>>,
    /// Signalled when an instance is given back or one made ahead is done.
    ready: Condvar,
}

struct State<T> {
    idle: Vec<T>,
    /// Instances `make_ahead` is making now.
    being_made: usize,
    /// Instances made so far, ahead or on demand.
    made: usize,
}

impl<T> Pool<T> {
    pub const fn new() -> Pool<T> {
        Pool { state: Mutex::new(State { idle: Vec::new(), being_made: 0, made: 0 }), ready: Condvar::new() }
    }

    /// The state; a thread that panicked while holding the lock left it consistent (a
    /// push, a pop or a count), so the poison is ignored.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` with an instance: an idle one, else one being made ahead once it is
    /// ready, else a new one from `make` (whose error is returned). The instance is given
    /// back afterwards, whatever `f` returned; if `f` panics, it is dropped.
    pub fn with<R, E>(
        &self,
        make: impl FnOnce() -> Result<T, E>,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        let taken = {
            let mut state = self.lock();
            loop {
                if let Some(item) = state.idle.pop() {
                    break Some(item);
                }
                if state.being_made == 0 {
                    break None;
                }
                state = self.ready.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let mut item = match taken {
            Some(item) => item,
            None => {
                let item = make()?;
                self.lock().made += 1;
                item
            }
        };
        let result = f(&mut item);
        self.lock().idle.push(item);
        self.ready.notify_one();
        result
    }

    /// Makes one instance with `make`, on the calling thread (a background one), for the
    /// next `with` to take; a `with` that finds none idle meanwhile waits for it rather
    /// than make its own. If `make` fails, nothing is added and the waiting thread makes
    /// its own, which reports the error where it matters.
    pub fn make_ahead<E>(&self, make: impl FnOnce() -> Result<T, E>) {
        /// Counts the instance out again even if `make` panics, so no `with` waits forever.
        struct Making<'a, T>(&'a Pool<T>);
        impl<T> Drop for Making<'_, T> {
            fn drop(&mut self) {
                self.0.lock().being_made -= 1;
                self.0.ready.notify_all();
            }
        }
        self.lock().being_made += 1;
        let making = Making(self);
        if let Ok(item) = make() {
            let mut state = self.lock();
            state.idle.push(item);
            state.made += 1;
        }
        drop(making);
    }

    /// How many instances are idle (for tests).
    pub fn idle(&self) -> usize {
        self.lock().idle.len()
    }

    /// How many instances have been made so far (for tests).
    pub fn made(&self) -> usize {
        self.lock().made
    }
}

impl<T> Default for Pool<T> {
    fn default() -> Pool<T> {
        Pool::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    #[test]
    fn an_instance_is_reused_not_made_again() {
        let pool = Pool::new();
        let made = AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(7)
        };
        for _ in 0..3 {
            assert_eq!(pool.with(make, |n| Ok(*n)), Ok(7));
        }
        assert_eq!(made.load(Ordering::SeqCst), 1);
        assert_eq!((pool.idle(), pool.made()), (1, 1));
    }

    #[test]
    fn errors_pass_through_and_a_failed_make_adds_nothing() {
        let pool: Pool<u32> = Pool::new();
        assert_eq!(pool.with(|| Err("cannot open"), |n| Ok(*n)), Err("cannot open"));
        assert_eq!(pool.idle(), 0);
        // An error from the work itself still gives the instance back.
        assert_eq!(pool.with(|| Ok(1), |_| Err::<u32, _>("read failed")), Err("read failed"));
        assert_eq!(pool.idle(), 1);
        pool.with(|| Ok(2), |_| Ok::<_, &str>(())).unwrap();
        pool.make_ahead(|| Err::<u32, _>("cannot open"));
        assert_eq!(pool.idle(), 1);
    }

    #[test]
    fn threads_at_once_get_instances_of_their_own() {
        let pool = Arc::new(Pool::new());
        let made = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (pool, made, barrier) = (pool.clone(), made.clone(), barrier.clone());
                std::thread::spawn(move || {
                    pool.with(
                        || Ok::<_, ()>(made.fetch_add(1, Ordering::SeqCst)),
                        |_| {
                            // Both hold one at the same time.
                            barrier.wait();
                            Ok(())
                        },
                    )
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread").expect("no error");
        }
        assert_eq!(made.load(Ordering::SeqCst), 2);
        assert_eq!(pool.idle(), 2);
    }

    #[test]
    fn a_worker_waits_for_the_instance_being_made_ahead() {
        let pool = Arc::new(Pool::new());
        let started = Arc::new(Barrier::new(2));
        let maker = {
            let (pool, started) = (pool.clone(), started.clone());
            std::thread::spawn(move || {
                pool.make_ahead(|| {
                    started.wait();
                    std::thread::sleep(Duration::from_millis(100));
                    Ok::<_, ()>("made ahead")
                })
            })
        };
        started.wait();
        // The worker asks while it is being made: it gets that one, and makes none.
        let got = pool.with(|| Ok::<_, ()>("made by the worker"), |s| Ok(*s));
        assert_eq!(got, Ok("made ahead"));
        maker.join().expect("maker");
        assert_eq!(pool.idle(), 1);
    }

    #[test]
    fn a_panic_while_making_ahead_leaves_no_one_waiting() {
        let pool: Arc<Pool<u8>> = Arc::new(Pool::new());
        let maker = {
            let pool = pool.clone();
            std::thread::spawn(move || pool.make_ahead(|| -> Result<u8, ()> { panic!("model file corrupt") }))
        };
        assert!(maker.join().is_err());
        assert_eq!(pool.with(|| Ok::<_, ()>(3), |n| Ok(*n)), Ok(3));
    }
}
