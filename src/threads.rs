//! Helper threads: started on another CPU, fed and waited for without
//! sleeping at once, their results taken as soon as they are ready.
//!
//! A new thread is queued on the CPU of the thread that starts it, and while
//! that thread keeps its CPU busy, the new one may wait there for milliseconds
//! even with another CPU idle. On the two-vCPU machine charter is measured on
//! (a small program: spawn a thread, then busy-wait 3 ms; 20 tries each), the
//! new thread first ran after 2.3 ms (median; often only once the starter
//! stopped), against 0.05 ms when the starter moved it to the other CPU at
//! once; a thread woken from a sleep waited 0.9 ms (median). Charter's helpers
//! are started and fed by busy threads by design (the loader, the render), so:
//!
//! - [`beside`] moves each new helper to a CPU other than the caller's, and the
//!   helper gives itself back every CPU it may use as soon as it runs, leaving
//!   the scheduler free from then on;
//! - [`recv_polling`] (and [`Beside::result`]) poll for a moment before they
//!   sleep, so that a thread expecting work or a result soon keeps its CPU;
//! - [`beside`] hands the result over a channel instead of being joined: a
//!   join waits for the thread to end, which is work of its own (glibc hands
//!   the unused part of its stack back to the kernel, thread-local destructors
//!   run). A scope still waits for the helper's work to finish
//!   (`std::thread::scope` counts a thread as running until its closure has
//!   returned), not for the thread's end.
//!
//! Measured on the large corpus charts against the binary before each step
//! (medians of 31-41 alternating runs): the move to another CPU 0.91-0.995,
//! polling for the next file on the parse-ahead thread 0.83-0.97, polling for
//! results 0.95-1.0, the channel instead of a join 0.93-1.0.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::thread::Scope;

/// The result of a helper started by [`beside`].
pub struct Beside<T>(Option<mpsc::Receiver<T>>);

impl<T> Beside<T> {
    /// Waits for the helper's result; `None` if it panicked, or if the system
    /// refused to start a thread (then the caller does the work itself).
    pub fn result(self) -> Option<T> {
        recv_polling(&self.0?)
    }

    /// Whether the helper runs (the system started a thread for it).
    pub fn started(&self) -> bool {
        self.0.is_some()
    }
}

/// Runs `f` on a new thread of scope `s`.
pub fn beside<'scope, T: Send + 'scope>(
    s: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Beside<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    let placement = placement::Placement::new();
    let mine = placement.for_thread();
    let started = std::thread::Builder::new().spawn_scoped(s, move || {
        mine.started();
        // A panic ends here (its message is printed): the caller sees `None`
        // instead of the scope panicking.
        if let Ok(v) = std::panic::catch_unwind(AssertUnwindSafe(f)) {
            let _ = tx.send(v);
        }
    });
    if started.is_ok() {
        placement.place();
    }
    Beside(started.ok().map(|_| rx))
}

/// How long [`recv_polling`] polls before it sleeps.
const POLL: std::time::Duration = std::time::Duration::from_millis(1);

/// `rx.recv()` for a thread that expects the next item within microseconds:
/// it polls for up to [`POLL`] (yielding the CPU to any other ready thread)
/// before it sleeps. A thread that sleeps leaves its CPU idle, and a thread
/// woken on an idle CPU waited up to milliseconds to run again on the machine
/// charter is measured on (median 0.9 ms in the same measurement as above).
pub fn recv_polling<T>(rx: &mpsc::Receiver<T>) -> Option<T> {
    let start = std::time::Instant::now();
    loop {
        match rx.try_recv() {
            Ok(v) => return Some(v),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) if start.elapsed() < POLL => std::thread::yield_now(),
            Err(mpsc::TryRecvError::Empty) => return rx.recv().ok(),
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod placement {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicU8, Ordering};
    use std::sync::{Arc, OnceLock};

    /// The CPUs this process may use, read once.
    fn allowed() -> Option<&'static libc::cpu_set_t> {
        static ALLOWED: OnceLock<Option<libc::cpu_set_t>> = OnceLock::new();
        ALLOWED
            .get_or_init(|| {
                // SAFETY: a zeroed cpu_set_t is a valid empty set, and the call
                // writes at most its size.
                unsafe {
                    let mut set: libc::cpu_set_t = std::mem::zeroed();
                    let size = std::mem::size_of::<libc::cpu_set_t>();
                    (libc::sched_getaffinity(0, size, &mut set) == 0).then_some(set)
                }
            })
            .as_ref()
    }

    /// The next allowed CPU after the calling thread's, wrapping around, if
    /// there is one.
    fn other_cpu() -> Option<usize> {
        let all = allowed()?;
        // SAFETY: sched_getcpu has no preconditions.
        let here = usize::try_from(unsafe { libc::sched_getcpu() }).ok()?;
        let count = 8 * SET_SIZE;
        // SAFETY: CPU_ISSET reads within the set.
        (1..count)
            .map(|i| (here + i) % count)
            .find(|&c| unsafe { libc::CPU_ISSET(c, all) })
    }

    /// The process's threads (their kernel task ids).
    fn tasks() -> HashSet<libc::pid_t> {
        std::fs::read_dir("/proc/self/task")
            .map(|dir| {
                dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Where a new thread stands: the starter moves it to another CPU, unless
    /// it already runs; whichever of the two comes second makes sure the
    /// thread ends with every allowed CPU.
    pub struct Placement {
        state: Arc<AtomicU8>,
        /// The CPU to move the thread to, and the threads there were before it
        /// started; `None` where there is no other CPU (nothing is looked up).
        target: Option<(usize, HashSet<libc::pid_t>)>,
    }

    const NEW: u8 = 0;
    const RUNNING: u8 = 1;
    const MOVED: u8 = 2;

    const SET_SIZE: usize = std::mem::size_of::<libc::cpu_set_t>();

    impl Placement {
        /// Called by the starter just before it starts the thread.
        pub fn new() -> Placement {
            Placement {
                state: Arc::new(AtomicU8::new(NEW)),
                target: other_cpu().map(|cpu| (cpu, tasks())),
            }
        }

        /// The part the new thread holds.
        pub fn for_thread(&self) -> Started {
            Started(self.state.clone())
        }

        /// Called by the starter once the thread exists: moves it to a CPU
        /// other than the starter's, if the process may use one. The thread is
        /// the one task id that was not there before (none is moved if the
        /// process started several threads meanwhile).
        pub fn place(&self) {
            let (Some(all), Some((other, before))) = (allowed(), &self.target) else {
                return;
            };
            let other = *other;
            let new: Vec<libc::pid_t> = tasks().difference(before).copied().collect();
            let [tid] = new[..] else { return };
            // SAFETY: a zeroed set is valid and CPU_SET stays within it; a task
            // id that has ended only makes the call fail.
            unsafe {
                let mut one: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(other, &mut one);
                if libc::sched_setaffinity(tid, SET_SIZE, &one) != 0 {
                    return;
                }
                if self
                    .state
                    .compare_exchange(NEW, MOVED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // It ran before the move took effect, and will not undo it.
                    libc::sched_setaffinity(tid, SET_SIZE, all);
                }
            }
        }
    }

    /// The new thread's side of a [`Placement`].
    pub struct Started(Arc<AtomicU8>);

    impl Started {
        /// Called first thing by the new thread.
        pub fn started(self) {
            if self
                .0
                .compare_exchange(NEW, RUNNING, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
                && let Some(all) = allowed()
            {
                // The starter moved this thread to one CPU: every allowed CPU
                // again. SAFETY: a valid set of the size given.
                unsafe {
                    libc::sched_setaffinity(0, SET_SIZE, all);
                }
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod placement {
    /// Elsewhere the scheduler places new threads alone.
    pub struct Placement;
    pub struct Started;

    impl Placement {
        pub fn new() -> Placement {
            Placement
        }
        pub fn for_thread(&self) -> Started {
            Started
        }
        pub fn place(&self) {}
    }

    impl Started {
        pub fn started(self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the start and the move to another CPU interleave, a helper ends
    /// up free to run on every CPU the process may use.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn helpers_end_with_every_allowed_cpu() {
        let mask = || {
            // SAFETY: a zeroed set is valid and the call writes within it.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                let size = std::mem::size_of::<libc::cpu_set_t>();
                assert_eq!(libc::sched_getaffinity(0, size, &mut set), 0);
                (0..8 * size)
                    .filter(|&c| libc::CPU_ISSET(c, &set))
                    .collect::<Vec<_>>()
            }
        };
        let all = mask();
        for _ in 0..50 {
            let (go, wait) = mpsc::channel::<()>();
            std::thread::scope(|s| {
                let helper = beside(s, move || {
                    let _ = wait.recv();
                    mask()
                });
                // `beside` has placed the helper by now.
                let _ = go.send(());
                assert_eq!(helper.result().as_ref(), Some(&all));
            });
        }
    }

    #[test]
    fn results_panics_and_borrows() {
        let data = String::from("borrowed");
        std::thread::scope(|s| {
            let len = beside(s, || data.len());
            let boom = beside(s, || -> usize { panic!("helper panics on purpose") });
            assert!(len.started());
            assert_eq!(len.result(), Some(8));
            assert_eq!(boom.result(), None);
        });
    }
}
